from django.urls import path

from .views import board, exports

app_name = "analytics"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("cards/", board.cards, name="cards"),
    path("exports/", exports.exports, name="exports"),
    path("exports/start/", exports.export_start, name="export_start"),
    path("exports/<int:pk>/", exports.export, name="export"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
]
