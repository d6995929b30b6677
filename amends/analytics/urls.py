from django.urls import path

from .views import board, documents, schedules

app_name = "analytics"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("cards/", board.cards, name="cards"),
    path("subscriptions/", schedules.subscriptions, name="subscriptions"),
    path("<slug:key>.xlsx", documents.board_xlsx_download, name="board_xlsx"),
    path("<slug:key>.pdf", documents.board_pdf_download, name="board_pdf"),
]
