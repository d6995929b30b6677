"""The analysis' filters: the period a person asks for, its default, its edges, and the way the filters
travel through links and are read back."""

from datetime import UTC, date, datetime

import pytest
from django.http import QueryDict
from django.utils import translation

from amends.analytics.filters import AnalyticsFilter, AnalyticsFilterForm, default_start, filters_described
from amends.complaints.models import Category

from . import board_fixtures

counted_cards = board_fixtures.counted_cards  # the fixture, where pytest finds it
TODAY = date(2026, 12, 6)


def read(query: str, today: date = TODAY) -> AnalyticsFilter:
    form = AnalyticsFilterForm(QueryDict(query))
    assert form.is_valid(), form.errors
    return form.to_filter(today)


@pytest.mark.parametrize(("today", "start"), [
    (date(2026, 12, 6), date(2025, 12, 1)), (date(2026, 1, 31), date(2025, 1, 1)),
    (date(2026, 12, 31), date(2025, 12, 1)),
])
def test_the_default_period_is_twelve_whole_months_and_this_one(today, start):
    assert default_start(today) == start
    assert AnalyticsFilter.default(today) == AnalyticsFilter(start=start, end=today)


def test_blank_filters_read_as_the_default_period(db):
    assert read("") == AnalyticsFilter.default(TODAY)


def test_a_period_open_at_one_end_is_closed_by_the_default(db):
    assert read("start=2026-11-01") == AnalyticsFilter(start=date(2026, 11, 1), end=TODAY)
    # A start after today: a period of that one day rather than one that ends before it starts.
    assert read("start=2027-02-01") == AnalyticsFilter(start=date(2027, 2, 1), end=date(2027, 2, 1))
    assert read("end=2025-06-15") == AnalyticsFilter(start=date(2024, 6, 1), end=date(2025, 6, 15))


def test_a_period_that_ends_before_it_starts_is_refused_with_a_reason(db):
    form = AnalyticsFilterForm(QueryDict("start=2026-05-01&end=2026-04-30"))
    with translation.override("en"):
        assert not form.is_valid()
        assert form.non_field_errors() == [
            "The period ends before it starts: the end must be on or after the start.",
        ]


def test_a_one_day_period_is_fine(db):
    assert read("start=2026-05-01&end=2026-05-01") == AnalyticsFilter(start=date(2026, 5, 1), end=date(2026, 5, 1))


def test_the_bounds_are_the_company_days_with_the_end_excluded():
    start, end = AnalyticsFilter(start=date(2026, 3, 1), end=date(2026, 5, 31)).bounds()
    # Moscow is UTC+3 all year.
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 21, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 5, 31, 21, 0, tzinfo=UTC)


def test_the_filters_come_back_whole_from_their_query_string(counted_cards):
    fixture = counted_cards
    filters = AnalyticsFilter(
        start=date(2026, 3, 1), end=date(2026, 5, 31), department=fixture.departments[1].pk,
        product=fixture.products[0].pk, category=fixture.child.pk, channel="email", responsible=fixture.people[0].pk,
    )
    assert read(filters.querystring()) == filters
    assert filters.dimensions_set and not AnalyticsFilter.default(TODAY).dimensions_set


def test_the_filters_are_described_in_words(counted_cards):
    fixture = counted_cards
    filters = AnalyticsFilter(
        start=date(2026, 3, 1), end=date(2026, 5, 31), department=fixture.departments[1].pk,
        category=fixture.child.pk, channel="web_form", responsible=fixture.people[0].pk,
    )
    with translation.override("en"):
        assert filters_described(filters) == [
            ("Period", "1 Mar 2026 – 31 May 2026"),
            ("Department", "Склад"),
            ("Category", str(Category.objects.get(pk=fixture.child.pk))),
            ("Channel", "Web form"),
            ("Responsible", str(fixture.people[0])),
        ]
        assert filters_described(AnalyticsFilter(start=date(2026, 3, 1), end=date(2026, 3, 1))) == [
            ("Period", "1 Mar 2026 – 1 Mar 2026"),
        ]
