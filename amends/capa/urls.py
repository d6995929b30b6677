from django.urls import path

from .views import records

app_name = "capa"

urlpatterns: list = [
    path("<str:number>/", records.record, name="record"),
]
