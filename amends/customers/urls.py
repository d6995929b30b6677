from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [path("lookup/", views.contact_lookup, name="lookup")]
