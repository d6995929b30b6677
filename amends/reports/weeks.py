"""ISO weeks in the company's time zone: a report's week runs from Monday 00:00 to the next Monday."""

import re
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

WEEK = timedelta(days=7)
ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def company_zone() -> tzinfo:
    """settings.TIME_ZONE, whatever zone a request or a user may have activated."""
    return timezone.get_default_timezone()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=company_zone())


def week_start_of(moment: datetime) -> date:
    day = timezone.localtime(moment, company_zone()).date()
    return day - timedelta(days=day.weekday())


def previous_week_start(now: datetime) -> date:
    """The Monday of the last whole week before `now`."""
    return week_start_of(now) - WEEK


def parse_week(text: str) -> date:
    """The Monday of an ISO week written as 2026-W47; ValueError for anything else."""
    match = ISO_WEEK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"Not an ISO week: {text!r}")
    return date.fromisocalendar(int(match[1]), int(match[2]), 1)


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"
