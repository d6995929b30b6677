from django.urls import path

from .views import board, yearly

app_name = "analytics"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("cards/", board.cards, name="cards"),
    path("yearly/", yearly.yearly, name="yearly"),
    path("yearly.xlsx", yearly.yearly_xlsx, name="yearly_xlsx"),
    path("yearly.pdf", yearly.yearly_pdf, name="yearly_pdf"),
    path("yearly/conclusions/", yearly.yearly_conclusions, name="yearly_conclusions"),
    path("yearly/approve/", yearly.yearly_approve, name="yearly_approve"),
]
