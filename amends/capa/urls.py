from django.urls import path  # noqa: F401 - each part adds its paths

from .views import card, records

app_name = "capa"

urlpatterns: list = [
    path("card/selected/", card.from_list, name="from_list"),
    path("card/<number:number>/link/", card.card_link, name="card_link"),
    path("card/<number:number>/open/", card.card_open, name="card_open"),
    path("card/<number:number>/measures/<int:pk>/promote/", card.promote, name="measure_promote"),
    # Placeholder of the records part's page, for the card panel's links (kept by the records part).
    path("<str:number>/", records.record, name="record"),
]
