"""Working-time arithmetic over a business calendar: pure functions, no database.

A calendar is a week of working intervals in its own time zone, minus the public holidays
of its country (the `holidays` package, which also knows the Russian production calendar's
moved days) and minus or plus the dates an administrator set as exceptions. All arithmetic
is done on UTC instants, so zones with daylight saving count real elapsed time.
"""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import Basis, Weekday

Interval = tuple[time, time]
# Beyond this a calendar is taken to have no working time at all.
SEARCH_LIMIT_DAYS = 3660


@lru_cache(maxsize=256)
def public_days(country: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days that are working days) of a country's year; computed once per process."""
    if not country:
        return frozenset(), frozenset()
    calendar = holidays.country_holidays(country, years=year)
    workdays = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return frozenset(calendar), workdays


def check_intervals(intervals: Iterable[tuple[int, time | None, time | None]]) -> None:
    """Refuse inverted or overlapping working hours, naming the day and the times."""
    errors: list[str] = []
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in intervals:
        if start is None or end is None:
            continue
        if end <= start:
            errors.append(_("%(day)s: the working hours %(start)s–%(end)s end before they start.") % {
                "day": Weekday(weekday).label, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            })
            continue
        by_day.setdefault(weekday, []).append((start, end))
    for weekday, day in sorted(by_day.items()):
        day.sort()
        for (start_a, end_a), (start_b, end_b) in itertools.pairwise(day):
            if start_b < end_a:
                errors.append(_("%(day)s: the working hours %(a)s and %(b)s overlap.") % {
                    "day": Weekday(weekday).label,
                    "a": f"{start_a:%H:%M}–{end_a:%H:%M}", "b": f"{start_b:%H:%M}–{end_b:%H:%M}",
                })
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class CalendarRules:
    """What a business calendar says about working time, detached from the database."""

    time_zone: ZoneInfo
    # Seven tuples of sorted intervals, Monday first.
    week: tuple[tuple[Interval, ...], ...]
    country: str = ""
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(cls, *, time_zone: str, hours: Iterable[tuple[int, time, time]], country: str = "",
              days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> "CalendarRules":
        hours = list(hours)
        check_intervals(hours)
        week = tuple(
            tuple(sorted((start, end) for weekday, start, end in hours if weekday == day))
            for day in range(7)
        )
        return cls(ZoneInfo(time_zone), week, country, frozenset(days_off), frozenset(working_days))

    @property
    def standard_day(self) -> tuple[Interval, ...]:
        """The hours of a moved working day (e.g. a Saturday worked instead of a holiday): the first weekday's."""
        return next((day for day in self.week if day), ())

    def intervals(self, day: date) -> tuple[Interval, ...]:
        if day in self.days_off:
            return ()
        if day in self.working_days:
            return self.week[day.weekday()] or self.standard_day
        public_off, public_working = public_days(self.country, day.year)
        if day in public_off:
            return ()
        if day in public_working:
            return self.week[day.weekday()] or self.standard_day
        return self.week[day.weekday()]

    def working_spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals from `start` on, as UTC instants, the first one clipped to `start`."""
        start = start.astimezone(UTC)
        day = start.astimezone(self.time_zone).date()
        for _offset in range(SEARCH_LIMIT_DAYS):
            for opens, closes in self.intervals(day):
                span_start = datetime.combine(day, opens, self.time_zone).astimezone(UTC)
                span_end = datetime.combine(day, closes, self.time_zone).astimezone(UTC)
                if span_end > start:
                    yield max(span_start, start), span_end
            day += timedelta(days=1)
        raise ValidationError(_("The business calendar has no working time in the next ten years."))


def add_working_time(start: datetime, duration: timedelta, rules: CalendarRules) -> datetime:
    """The instant when `duration` of working time has passed since `start` (UTC)."""
    if duration <= timedelta(0):
        return start.astimezone(UTC)
    remaining = duration
    for span_start, span_end in rules.working_spans(start):
        available = span_end - span_start
        if remaining <= available:
            return span_start + remaining
        remaining -= available
    raise AssertionError("working_spans never ends without raising")


def working_time_between(a: datetime, b: datetime, rules: CalendarRules) -> timedelta:
    """Working time from `a` to `b`; zero when `b` is not after `a`."""
    total, b = timedelta(0), b.astimezone(UTC)
    if b <= a:
        return total
    for span_start, span_end in rules.working_spans(a):
        if span_start >= b:
            break
        total += min(span_end, b) - span_start
    return total


def add_time(start: datetime, duration: timedelta, basis: str, rules: CalendarRules | None) -> datetime:
    """`add_working_time` or plain addition, as the clock's basis says."""
    if basis == Basis.WORKING:
        assert rules is not None, "a working-time clock always has a calendar (policy validation)"
        return add_working_time(start, duration, rules)
    return start.astimezone(UTC) + duration


def time_between(a: datetime, b: datetime, basis: str, rules: CalendarRules | None) -> timedelta:
    if basis == Basis.WORKING:
        assert rules is not None, "a working-time clock always has a calendar (policy validation)"
        return working_time_between(a, b, rules)
    return max(b - a, timedelta(0))
