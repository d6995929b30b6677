"""The customer's questionnaire behind the personal link: no login (tokens.py)."""

from django.urls import path

from .views import public

app_name = "survey"
urlpatterns = [
    path("<str:key>/<str:signature>/", public.answer, name="answer"),
    path("<str:key>/<str:signature>/thanks/", public.thanks, name="thanks"),
    path("<str:key>/<str:signature>/stop/", public.refuse, name="refuse"),
]
