from django.urls import path

from . import views
from .choices import Signatory

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_register, name="register"),
    path("internal/new/", views.complaint_file_internal, name="file_internal"),
    path("filters/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("assign/", views.complaints_bulk_assign, name="bulk_assign"),
    path("<number:number>/", views.complaint_detail, name="detail"),
    path("<number:number>/panel/<slug:name>/", views.complaint_fragment, name="card_fragment"),
    path("<number:number>/print/", views.complaint_print, name="print"),
    path("<number:number>/acceptance-note/", views.complaint_acceptance_note, name="acceptance_note"),
    path("<number:number>/edit/", views.complaint_edit, name="edit"),
    path("<number:number>/customer/", views.complaint_customer, name="customer"),
    path("<number:number>/sign-off/responsible/", views.complaint_sign_off, {"signatory": Signatory.RESPONSIBLE},
         name="sign_off_responsible"),
    path("<number:number>/sign-off/qms/", views.complaint_sign_off, {"signatory": Signatory.QMS_HEAD},
         name="sign_off_qms"),
    path("<number:number>/transition/<str:name>/", views.complaint_transition, name="transition"),
    path("<number:number>/note/", views.complaint_note, name="note"),
    path("<number:number>/call/", views.complaint_log_call, name="log_call"),
    path("<number:number>/keep-closed/", views.complaint_keep_closed, name="keep_closed"),
    path("<number:number>/confirmation/", views.complaint_confirm_in_writing, name="confirm_in_writing"),
    path("<number:number>/attach/", views.complaint_attach, name="attach"),
    path("<number:number>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<number:number>/measures/", views.measure_add, name="measure_add"),
    path("<number:number>/measures/<int:pk>/remove/", views.measure_remove, name="measure_remove"),
    path("<number:number>/measures/<int:pk>/report/", views.measure_report, name="measure_report"),
]
