import zoneinfo
from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.utils import formats, timezone, translation

from amends.complaints.models import TimelineEvent
from amends.core.dates import date_text, excel_number_format


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


@pytest.mark.parametrize("language", ["ru", "en", "hy"])
def test_one_date_and_one_date_time_format_a_language(language):
    moment, day = datetime(2026, 12, 6, 3, 56), date(2026, 12, 6)
    with translation.override(language):
        assert formats.date_format(day) == formats.date_format(day, "SHORT_DATE_FORMAT")
        assert formats.date_format(moment, "DATETIME_FORMAT") == formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        page = Template("{{ day|date }}|{{ day }}").render(Context({"day": day}))
        assert page == f"{date_text(day)}|{date_text(day)}"


def test_english_dates_read_day_first_with_the_month_in_letters():
    assert render("en", datetime(2026, 12, 6, 15, 56)) == "6 Dec 2026 15:56"


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", ("dd.mm.yyyy", "dd.mm.yyyy hh:mm")), ("hy", ("dd.mm.yyyy", "dd.mm.yyyy hh:mm")),
    ("en", ("d mmm yyyy", "d mmm yyyy hh:mm")),
])
def test_the_workbook_formats_are_the_pages_formats_in_excels_words(language, expected):
    with translation.override(language):
        assert (excel_number_format("SHORT_DATE_FORMAT"), excel_number_format()) == expected


def test_a_changed_date_or_time_on_the_timeline_reads_in_the_readers_format():
    day = TimelineEvent(field="opinion_date", old_value="", new_value="2026-04-02")
    moment = TimelineEvent(field="received_at", old_value="2026-04-01T09:00+00:00", new_value="not a time")
    with translation.override("ru"), timezone.override(zoneinfo.ZoneInfo("Europe/Moscow")):
        assert (day.old_display, day.new_display) == ("", "02.04.2026")
        assert (moment.old_display, moment.new_display) == ("01.04.2026 12:00", "not a time")
    with translation.override("en"):
        assert day.new_display == "2 Apr 2026"
