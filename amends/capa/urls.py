from django.urls import path

from .views import records

app_name = "capa"

# Each part adds its paths; `<record:number>` is a nonconformity's number (converters.py).
urlpatterns: list = [
    path("", records.register, name="list"),
    path("new/", records.new, name="new"),
    path("<record:number>/", records.record, name="record"),
    path("<record:number>/appoint/", records.appoint, name="appoint"),
    path("<record:number>/edit/", records.edit, name="edit"),
    path("<record:number>/steps/<slug:step>/", records.step, name="step"),
    path("<record:number>/complaints/", records.link, name="link"),
    path("<record:number>/complaints/<number:card>/unlink/", records.unlink, name="unlink"),
]
