"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path  # noqa: F401  (each part adds its pages)

from .views import questionnaires, settings

app_name = "surveys"
urlpatterns: list = [
    path("questionnaires/", questionnaires.questionnaires, name="questionnaires"),
    path("questionnaires/<int:pk>/", questionnaires.questionnaire, name="questionnaire"),
    path("versions/<int:pk>/", questionnaires.version, name="version"),
    path("versions/<int:pk>/publish/", questionnaires.version_publish_view, name="version_publish"),
    path("settings/", settings.settings, name="settings"),
]
