from django.urls import path  # noqa: F401 - the paths come with the views

app_name = "imports"

urlpatterns: list = []
