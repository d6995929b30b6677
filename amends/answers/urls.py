from django.urls import path

from . import letter_views

app_name = "answers"
urlpatterns = [
    path("<number:number>/letter/draft/", letter_views.draft, name="letter_draft"),
    path("<number:number>/letter/<int:pk>/", letter_views.edit, name="letter_edit"),
]
