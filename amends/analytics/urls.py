from django.urls import path

from .views import board, orders

app_name = "analytics"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("cards/", board.cards, name="cards"),
    path("orders/", orders.orders, name="orders"),
]
