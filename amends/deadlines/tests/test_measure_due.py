import zoneinfo
from datetime import date, datetime

from django.utils import timezone

from amends.deadlines.selectors import end_of_day

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def test_a_measure_falls_due_at_the_same_moment_whatever_zone_the_reader_chose(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        due = end_of_day(date(2026, 11, 19))
    assert due == datetime(2026, 11, 20, tzinfo=MOSCOW)
