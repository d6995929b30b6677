"""Intake's forms on the complaint card, under the card's own path (/complaints/<number>/...)."""

from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("<number:number>/message/", views.message_customer, name="message_customer"),
    path("<number:number>/same-customer/", views.same_customer, name="same_customer"),
]
