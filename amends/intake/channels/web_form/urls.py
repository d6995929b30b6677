from django.urls import path

from . import views

app_name = "web_form"
urlpatterns = [
    path("complain/", views.complain, name="complain"),
    path("complain/thanks/<number:number>/", views.thanks, name="thanks"),
    path("track/<number:number>/", views.track, name="track"),
]
