"""The project's URLs plus this app's, until config/urls.py includes it."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("reports/", include("amends.reports.urls")), *project_urlpatterns]
