from django.urls import path

from . import views

app_name = "monitoring"

# Answered by MonitoringMiddleware before the host check and the HTTPS redirect; named here for reverse().
urlpatterns = [
    path("health/", views.health, name="health"),
    path("ready/", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
]
