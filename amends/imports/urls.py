from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("new/", views.upload, name="upload"),
    path("new/<str:token>/", views.columns, name="columns"),
    path("new/<str:token>/preview/", views.preview, name="preview"),
    path("new/<str:token>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/", views.run, name="run"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/rejects/", views.rejects, name="rejects"),
]
