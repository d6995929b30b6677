from datetime import datetime

from django.template import Context, Template
from django.utils import translation


def render(language: str, moment: datetime) -> str:
    with translation.override(language):
        return Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"moment": moment}))


def test_dates_read_day_first_in_russian_and_armenian():
    moment = datetime(2026, 11, 24, 17, 5)
    assert render("ru", moment) == "24.11.2026 17:05"
    assert render("hy", moment) == "24.11.2026 17:05"
    assert render("en", moment) != "24.11.2026 17:05"


def test_the_language_menu_names_each_language_in_itself(client):
    page = client.get("/login/").content.decode()
    assert ">Русский</option>" in page and ">English</option>" in page and ">Հայերեն</option>" in page
