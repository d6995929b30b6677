from django.urls import path

from . import document_views

app_name = "answers"
urlpatterns = [
    path("<number:number>/letters/<int:pk>/pdf/", document_views.letter_pdf, name="letter_pdf"),
    path("<number:number>/letters/<int:pk>/docx/", document_views.letter_docx, name="letter_docx"),
    path("<number:number>/pdf/", document_views.card_pdf, name="card_pdf"),
]
