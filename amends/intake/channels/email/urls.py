from django.urls import path

from . import views

app_name = "email"
urlpatterns = [
    path("mailgate/", views.mailgate, name="mailgate"),
]
