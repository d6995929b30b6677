"""The project's URLs with this app's, as the lead wires them: path("notifications/", include(...))."""

from django.urls import include, path

from config.urls import urlpatterns as project

wired = any(getattr(p, "namespace", None) == "notifications" for p in project)
urlpatterns = project if wired else [*project, path("notifications/", include("amends.notifications.urls"))]
