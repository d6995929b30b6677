from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("weekly/", views.weekly, name="weekly"),
    path("weekly.xlsx", views.weekly_xlsx, name="weekly_xlsx"),
]
