from django.urls import path

from . import views_tone

app_name = "answers"
urlpatterns = [
    path("tone/", views_tone.tone_check_partial, name="tone_check"),
]
