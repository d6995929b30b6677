from django.urls import path

from .views import norms

app_name = "capa"

urlpatterns: list = [
    path("norms/", norms.norms, name="norms"),
    path("norms/cards/", norms.norm_cards, name="norm_cards"),
]
