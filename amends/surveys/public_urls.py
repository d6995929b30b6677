"""The customer's questionnaire behind the personal link: no login (tokens.py)."""

from django.urls import path  # noqa: F401

app_name = "survey"
urlpatterns: list = []
