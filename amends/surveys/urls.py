"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path  # noqa: F401  (each part adds its pages)

from .views import customers, responses

app_name = "surveys"
urlpatterns: list = [
    path("customers/<int:pk>/", customers.customer, name="customer"),
    path("responses/", responses.responses, name="responses"),
    path("responses/<int:pk>/", responses.response, name="response"),
]
