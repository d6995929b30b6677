import re

from django.urls import path, register_converter

from .dashboards import DASHBOARDS
from .views import board, documents, exports, monthly, orders, schedules, yearly


class DashboardKey:
    """Only a dashboard's key: the app's other pages ("monthly/", "orders/"...) are never taken for one."""

    regex = "|".join(re.escape(key) for key in DASHBOARDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DashboardKey, "dashboard")

app_name = "analytics"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("home/", board.home, name="home"),
    path("cards/", board.cards, name="cards"),
    path("subscriptions/", schedules.subscriptions, name="subscriptions"),
    path("<dashboard:key>.xlsx", documents.board_xlsx_download, name="board_xlsx"),
    path("<dashboard:key>.pdf", documents.board_pdf_download, name="board_pdf"),
    path("monthly/", monthly.monthly, name="monthly"),
    path("monthly/xlsx/", monthly.monthly_xlsx, name="monthly_xlsx"),
    path("monthly/pdf/", monthly.monthly_pdf, name="monthly_pdf"),
    path("monthly/review/", monthly.monthly_review, name="monthly_review"),
    path("monthly/decisions/", monthly.monthly_decision_add, name="monthly_decision_add"),
    path("monthly/decisions/<int:pk>/", monthly.monthly_decision_update, name="monthly_decision_update"),
    path("<dashboard:key>/", board.board, name="board"),
    path("yearly/", yearly.yearly, name="yearly"),
    path("yearly.xlsx", yearly.yearly_xlsx, name="yearly_xlsx"),
    path("yearly.pdf", yearly.yearly_pdf, name="yearly_pdf"),
    path("yearly/conclusions/", yearly.yearly_conclusions, name="yearly_conclusions"),
    path("yearly/approve/", yearly.yearly_approve, name="yearly_approve"),
    path("orders/", orders.orders, name="orders"),
    path("exports/", exports.exports, name="exports"),
    path("exports/start/", exports.export_start, name="export_start"),
    path("exports/<int:pk>/", exports.export, name="export"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
]
