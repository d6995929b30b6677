from django.urls import path

from . import views

app_name = "duplicates"
urlpatterns = [
    path("candidates/<int:pk>/dismiss/", views.candidate_dismiss, name="dismiss"),
    path("draft/", views.draft_candidates, name="draft"),
]
