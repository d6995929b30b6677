"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path  # noqa: F401  (each part adds its pages)

from .views import entry

app_name = "surveys"
urlpatterns: list = [
    path("responses/new/", entry.response_new, name="response_new"),
    path("invitations/<int:pk>/print/", entry.invitation_print, name="invitation_print"),
]
