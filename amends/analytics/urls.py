from django.urls import path

from .views import board

app_name = "analytics"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("cards/", board.cards, name="cards"),
]
