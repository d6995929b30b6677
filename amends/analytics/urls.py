import re

from django.urls import path, register_converter

from .dashboards import DASHBOARDS
from .views import board, monthly


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
    path("monthly/", monthly.monthly, name="monthly"),
    path("monthly/xlsx/", monthly.monthly_xlsx, name="monthly_xlsx"),
    path("monthly/pdf/", monthly.monthly_pdf, name="monthly_pdf"),
    path("monthly/review/", monthly.monthly_review, name="monthly_review"),
    path("monthly/decisions/", monthly.monthly_decision_add, name="monthly_decision_add"),
    path("monthly/decisions/<int:pk>/", monthly.monthly_decision_update, name="monthly_decision_update"),
    path("<dashboard:key>/", board.board, name="board"),
]
