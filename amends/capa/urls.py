from django.urls import path  # noqa: F401 - each part adds its paths

app_name = "capa"

urlpatterns: list = []
