import re

from django.urls import path, register_converter

from .dashboards import DASHBOARDS
from .views import board


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
    path("<dashboard:key>/", board.board, name="board"),
]
