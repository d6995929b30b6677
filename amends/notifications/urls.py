from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("settings/", views.notification_settings, name="settings"),
    path("<int:pk>/", views.notification_open, name="open"),
]
