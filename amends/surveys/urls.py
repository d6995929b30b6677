"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path

from .views import followups

app_name = "surveys"
urlpatterns: list = [
    path("follow-ups/", followups.followups, name="followups"),
    path("follow-ups/<int:pk>/", followups.followup, name="followup"),
]
