from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_register, name="register"),
    path("internal/new/", views.complaint_file_internal, name="file_internal"),
    path("<str:number>/", views.complaint_detail, name="detail"),
    path("<str:number>/print/", views.complaint_print, name="print"),
    path("<str:number>/edit/", views.complaint_edit, name="edit"),
    path("<str:number>/transition/<str:name>/", views.complaint_transition, name="transition"),
    path("<str:number>/note/", views.complaint_note, name="note"),
    path("<str:number>/call/", views.complaint_log_call, name="log_call"),
    path("<str:number>/attach/", views.complaint_attach, name="attach"),
    path("<str:number>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<str:number>/measures/", views.measure_add, name="measure_add"),
    path("<str:number>/measures/<int:pk>/remove/", views.measure_remove, name="measure_remove"),
    path("<str:number>/measures/<int:pk>/report/", views.measure_report, name="measure_report"),
]
