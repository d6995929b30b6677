from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("<str:source>/", views.receive, name="receive"),
]
