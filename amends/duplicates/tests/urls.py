"""The project's URLs with this app's, as the lead wires them: path("duplicates/", include(...))."""

from django.urls import include, path

from config.urls import urlpatterns as project

wired = any(getattr(p, "namespace", None) == "duplicates" for p in project)
urlpatterns = project if wired else [*project, path("duplicates/", include("amends.duplicates.urls"))]
