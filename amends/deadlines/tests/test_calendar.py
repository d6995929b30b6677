from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from amends.deadlines.calendar import (
    CalendarRules,
    add_working_time,
    check_intervals,
    public_days,
    working_time_between,
)

from .conftest import msk

H = timedelta(hours=1)
OFFICE = [(weekday, time(9), time(18)) for weekday in range(5)]


def russia(**extra) -> CalendarRules:
    return CalendarRules.build(time_zone="Europe/Moscow", country="RU", hours=OFFICE, **extra)


@pytest.mark.parametrize(("start", "hours", "due"), [
    (msk(2025, 3, 12, 10), 2, msk(2025, 3, 12, 12)),   # inside one day
    (msk(2025, 3, 12, 17), 2, msk(2025, 3, 13, 10)),   # into the next morning
    (msk(2025, 3, 12, 7), 1, msk(2025, 3, 12, 10)),    # before opening: counts from 09:00
    (msk(2025, 3, 12, 20), 1, msk(2025, 3, 13, 10)),   # after closing: from the next opening
    (msk(2025, 3, 12, 10), 9, msk(2025, 3, 13, 10)),   # one working day
    (msk(2025, 3, 14, 17), 2, msk(2025, 3, 17, 10)),   # Friday → Monday
    (msk(2025, 3, 15, 12), 1, msk(2025, 3, 17, 10)),   # started on a Saturday
    (msk(2025, 3, 12, 18), 9, msk(2025, 3, 13, 18)),   # a span that ends exactly at closing stays there
])
def test_add_working_time_on_ordinary_days(start, hours, due):
    assert add_working_time(start, hours * H, russia()) == due


def test_new_year_holidays_are_skipped():
    # 30 and 31 December 2024 and 1-8 January 2025 are days off on the production calendar.
    assert add_working_time(msk(2024, 12, 27, 17), 2 * H, russia()) == msk(2024, 12, 28, 10)
    assert add_working_time(msk(2024, 12, 28, 17), 2 * H, russia()) == msk(2025, 1, 9, 10)


def test_the_moved_working_saturday_counts_with_standard_hours():
    # Saturday 28 December 2024 was worked instead of Monday 30 December.
    assert working_time_between(msk(2024, 12, 28, 0), msk(2024, 12, 29, 0), russia()) == 9 * H
    assert working_time_between(msk(2024, 12, 30, 0), msk(2024, 12, 31, 0), russia()) == timedelta(0)


def test_public_holiday_on_a_weekday_is_a_day_off():
    # 12 June 2025 (Russia Day, Thursday) and 13 June (moved day off).
    assert add_working_time(msk(2025, 6, 11, 17), 2 * H, russia()) == msk(2025, 6, 16, 10)


def test_calendar_exceptions_override_the_week_and_the_holidays():
    extra_day_off = russia(days_off=[msk(2025, 3, 13).date()])
    assert add_working_time(msk(2025, 3, 12, 17), 2 * H, extra_day_off) == msk(2025, 3, 14, 10)
    extra_working_day = russia(working_days=[msk(2025, 3, 15).date(), msk(2025, 6, 12).date()])
    assert add_working_time(msk(2025, 3, 14, 17), 2 * H, extra_working_day) == msk(2025, 3, 15, 10)
    assert working_time_between(msk(2025, 6, 12, 0), msk(2025, 6, 13, 0), extra_working_day) == 9 * H


def test_a_calendar_without_a_country_has_no_public_holidays():
    plain = CalendarRules.build(time_zone="Europe/Moscow", hours=OFFICE)
    assert add_working_time(msk(2025, 1, 1, 9), 2 * H, plain) == msk(2025, 1, 1, 11)


def test_several_intervals_a_day_skip_the_lunch_break():
    lunch = CalendarRules.build(time_zone="Europe/Moscow", hours=[
        (0, time(9), time(13)), (0, time(14), time(18)),
    ])
    assert add_working_time(msk(2025, 3, 10, 12), 2 * H, lunch) == msk(2025, 3, 10, 15)
    assert working_time_between(msk(2025, 3, 10, 12), msk(2025, 3, 10, 15), lunch) == 2 * H
    # Monday only: the next working time is a week later.
    assert add_working_time(msk(2025, 3, 10, 17), 2 * H, lunch) == msk(2025, 3, 17, 10)


def test_time_zones_and_daylight_saving_count_real_elapsed_time():
    new_york = ZoneInfo("America/New_York")
    rules = CalendarRules.build(time_zone="America/New_York", hours=OFFICE)
    # The clocks went forward on Sunday 9 March 2025, between Friday's and Monday's office hours.
    friday = datetime(2025, 3, 7, 17, tzinfo=new_york)
    due = add_working_time(friday, 2 * H, rules)
    assert due == datetime(2025, 3, 10, 10, tzinfo=new_york)
    assert due.utcoffset() == timedelta(0) and due == datetime(2025, 3, 10, 14, tzinfo=UTC)
    assert working_time_between(friday, due, rules) == 2 * H
    # A Moscow instant is read in the calendar's own zone: 16:00 in Moscow is 09:00 in New York.
    assert add_working_time(msk(2025, 3, 12, 16), H, rules) == datetime(2025, 3, 12, 10, tzinfo=new_york)


@pytest.mark.parametrize("hours", [1, 5, 9, 10, 24, 100, 333])
def test_working_time_between_undoes_add_working_time(hours):
    start = msk(2024, 12, 20, 15, 17)
    assert working_time_between(start, add_working_time(start, hours * H, russia()), russia()) == hours * H


def test_no_time_passes_backwards_or_for_nothing():
    assert working_time_between(msk(2025, 3, 12, 12), msk(2025, 3, 12, 10), russia()) == timedelta(0)
    assert add_working_time(msk(2025, 3, 15, 12), timedelta(0), russia()) == msk(2025, 3, 15, 12)


def test_a_calendar_without_working_time_says_so():
    with pytest.raises(ValidationError, match="no working time"):
        add_working_time(msk(2025, 3, 12, 12), H, CalendarRules.build(time_zone="UTC", hours=[]))


def test_inverted_and_overlapping_hours_are_refused_with_the_day_and_times():
    with pytest.raises(ValidationError) as inverted:
        check_intervals([(0, time(18), time(9))])
    assert inverted.value.messages == ["Monday: the working hours 18:00–09:00 end before they start."]
    with pytest.raises(ValidationError) as overlapping:
        check_intervals([(2, time(9), time(13)), (2, time(12), time(18)), (3, time(12), time(18))])
    assert overlapping.value.messages == ["Wednesday: the working hours 09:00–13:00 and 12:00–18:00 overlap."]
    check_intervals([(2, time(9), time(13)), (2, time(13), time(18))])  # touching is fine


def test_public_holidays_are_computed_once_per_country_and_year():
    public_days.cache_clear()
    for _ in range(3):
        working_time_between(msk(2025, 1, 1), msk(2025, 2, 1), russia())
    info = public_days.cache_info()
    assert info.misses == 1 and info.hits > 30
