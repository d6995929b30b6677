from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("models/", views.models, name="models"),
    path("models/train/", views.train, name="train"),
    path("models/<int:pk>/", views.model_detail, name="model_detail"),
    path("card/<str:number>/negative/", views.flag_mark, name="flag_mark"),
    path("card/<str:number>/<str:field>/", views.decide, name="decide"),
]
