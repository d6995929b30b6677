"""Intake figures (per week and month by channel, per 1,000 orders, repeat complainants) against plain
SQL, and each drill against the figure it stands behind."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from amends.analytics.charts import CHARTS
from amends.analytics.figures.volume import months_of, week_key, weeks_of
from amends.analytics.models import MonthlyOrders

from .volume_fixtures import COUNTED_WHERE, PERIOD, cards_fixture, local, period_bounds, sql_rows  # noqa: F401

pytestmark = pytest.mark.django_db

VOLUME_CHARTS = ("by_week_channel", "by_month_channel", "per_thousand_orders", "repeat_complainants")


def next_first(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def sql_by_channel(first: date, after: date, extra: str = "", params: tuple = (), within=PERIOD) -> dict[str, int]:
    """The counted cards of the period received from `first` to `after` (local days), by channel."""
    start, end = period_bounds(within)
    low = max(start, local(first.year, first.month, first.day, 0))
    high = min(end, local(after.year, after.month, after.day, 0))
    rows = sql_rows(
        f"SELECT c.channel, COUNT(*) FROM complaints_complaint c WHERE {COUNTED_WHERE}"
        f" AND c.received_at >= %s AND c.received_at < %s{extra} GROUP BY c.channel",
        [low, high, *params],
    )
    return dict(rows)


def figures(chart) -> dict[tuple[str, str], float | int | None]:
    return {(point.key, key): value for point in chart.points for key, value in point.values.items()}


def test_the_chart_keys_are_registered():
    assert set(VOLUME_CHARTS) <= set(CHARTS)


def test_per_month_by_channel_matches_sql(qms, cards):
    chart = CHARTS["by_month_channel"].compute(qms, PERIOD)
    assert [point.key for point in chart.points] == ["2026-01", "2026-02", "2026-03"]
    expected = {}
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
        for channel, count in sql_by_channel(month, next_first(month)).items():
            expected[(f"{month:%Y-%m}", channel)] = count
    got = {key: value for key, value in figures(chart).items() if value}
    assert got == expected
    assert [s.key for s in chart.series] == ["phone", "email", "web_form", "social", "messenger"]
    # 1 February 01:00 in Moscow is February's, though still 31 January in UTC
    assert got[("2026-02", "social")] == 1
    assert chart.kind == "stacked" and not chart.empty


def test_per_week_by_channel_matches_sql_with_every_week(qms, cards):
    chart = CHARTS["by_week_channel"].compute(qms, PERIOD)
    mondays = weeks_of(PERIOD)
    assert mondays[0] == date(2026, 1, 5) and mondays[-1] == date(2026, 3, 16)
    assert [point.key for point in chart.points] == [week_key(monday) for monday in mondays]
    assert chart.points[0].key == "2026-W02"
    expected = {}
    for monday in mondays:
        for channel, count in sql_by_channel(monday, monday + timedelta(days=7)).items():
            expected[(week_key(monday), channel)] = count
    assert {key: value for key, value in figures(chart).items() if value} == expected
    # Monday 2 February 00:30 local opens week 6 (Sunday 21:30 in UTC)
    assert figures(chart)[("2026-W06", "phone")] >= 1


def test_a_long_period_is_counted_in_several_queries_with_the_same_figures(qms, cards):
    """Three years of weeks: more buckets than one query counts."""
    years = replace(PERIOD, start=date(2024, 3, 1), end=date(2027, 2, 28))
    chart = CHARTS["by_week_channel"].compute(qms, years)
    assert len(chart.points) > 150
    start, end = period_bounds(years)
    total = sql_rows(f"SELECT COUNT(*) FROM complaints_complaint c WHERE {COUNTED_WHERE}"
                     " AND c.received_at >= %s AND c.received_at < %s", [start, end])[0][0]
    assert sum(value for value in figures(chart).values() if value) == total
    late_week = {p.key: p.values for p in chart.points}["2026-W12"]  # past the first hundred weeks
    expected = sql_by_channel(date(2026, 3, 16), date(2026, 3, 23), within=years)
    assert {key: value for key, value in late_week.items() if value} == expected


def test_a_dimension_filter_narrows_every_bucket(qms, cards):
    filters = replace(PERIOD, department=cards.sales.pk, channel="email")
    chart = CHARTS["by_month_channel"].compute(qms, filters)
    expected = {}
    for month in months_of(PERIOD):
        counts = sql_by_channel(month, next_first(month), " AND c.department_concerned_id = %s AND c.channel = %s",
                                (cards.sales.pk, "email"))
        expected.update({(f"{month:%Y-%m}", channel): count for channel, count in counts.items()})
    assert {key: value for key, value in figures(chart).items() if value} == expected
    assert [s.key for s in chart.series] == ["email"]


def test_per_thousand_orders_against_sql_and_the_entered_counts(qms, cards):
    MonthlyOrders.objects.create(month=date(2026, 1, 1), orders=400, entered_at=timezone.now())
    MonthlyOrders.objects.create(month=date(2026, 3, 1), orders=3000, entered_at=timezone.now())
    chart = CHARTS["per_thousand_orders"].compute(qms, PERIOD)
    values = {point.key: point.values for point in chart.points}
    january = sum(sql_by_channel(date(2026, 1, 1), date(2026, 2, 1)).values())
    february = sum(sql_by_channel(date(2026, 2, 1), date(2026, 3, 1)).values())
    march = sum(sql_by_channel(date(2026, 3, 1), date(2026, 4, 1)).values())
    assert values["2026-01"] == {"per_thousand": round(january * 1000 / 400, 2), "cards": january}
    assert values["2026-02"] == {"per_thousand": None, "cards": february}  # no order count entered
    assert values["2026-03"] == {"per_thousand": round(march * 1000 / 3000, 2), "cards": march}
    assert [s.key for s in chart.series if not s.drillable] == ["per_thousand"]


def test_repeat_complainants_against_sql(qms, cards):
    start, end = period_bounds()
    rows = sql_rows(
        f"SELECT c.contact_id, COUNT(*) FROM complaints_complaint c WHERE {COUNTED_WHERE}"
        " AND c.received_at >= %s AND c.received_at < %s AND c.contact_id IS NOT NULL"
        " GROUP BY c.contact_id HAVING COUNT(*) >= 2",
        [start, end],
    )
    expected = sorted(((str(pk), count) for pk, count in rows), key=lambda row: (-row[1], int(row[0])))
    chart = CHARTS["repeat_complainants"].compute(qms, PERIOD)
    assert [(point.key, point.values["cards"]) for point in chart.points] == expected
    assert str(cards.gleb.pk) in dict(expected)  # two in the period, a third after it not counted
    labels = {point.key: point.label for point in chart.points}
    assert labels[str(cards.anna.pk)] == "Анна Петрова"


def test_repeat_complainants_show_at_most_fifteen(qms, db):
    from amends.customers.models import Contact

    from .volume_fixtures import _card

    number = 100
    for i in range(17):
        contact = Contact.objects.create(full_name=f"Клиент {i:02d}")
        for _ in range(2 + (i == 16)):
            number += 1
            _card(number, local(2026, 2, 1 + i), "email", contact=contact)
    chart = CHARTS["repeat_complainants"].compute(qms, PERIOD)
    assert len(chart.points) == 15
    assert chart.points[0].label == "Клиент 16" and chart.points[0].values["cards"] == 3


@pytest.mark.parametrize("key", VOLUME_CHARTS)
def test_each_drill_returns_exactly_the_counted_cards(qms, cards, key):
    MonthlyOrders.objects.create(month=date(2026, 2, 1), orders=250, entered_at=timezone.now())
    spec = CHARTS[key]
    chart = spec.compute(qms, PERIOD)
    counted = [s for s in chart.series if s.drillable]
    seen: list[int] = []
    for point in chart.points:
        for series in counted:
            drilled = list(spec.drill(qms, PERIOD, point.key, series.key).values_list("pk", flat=True))
            assert len(drilled) == point.values[series.key], (point.key, series.key)
            seen += drilled
        for series in chart.series:
            if not series.drillable:  # a rate's list is its month's cards
                assert spec.drill(qms, PERIOD, point.key, series.key).count() == point.values["cards"]
    start, end = period_bounds()
    every = {pk for (pk,) in sql_rows(
        f"SELECT c.id FROM complaints_complaint c WHERE {COUNTED_WHERE} AND c.received_at >= %s AND c.received_at < %s",
        [start, end],
    )}
    assert len(seen) == len(set(seen))  # no card behind two figures
    if key == "repeat_complainants":
        assert set(seen) < every
    else:
        assert set(seen) == every


@pytest.mark.parametrize(("key", "point", "series"), [
    ("by_week_channel", "2026-13", "email"), ("by_week_channel", "2026-W02", "pigeon"),
    ("by_month_channel", "March", "email"), ("per_thousand_orders", "2026-02", "orders"),
    ("repeat_complainants", "anna", "cards"),
])
def test_an_unknown_point_or_series_is_a_value_error(qms, cards, key, point, series):
    with pytest.raises(ValueError):
        CHARTS[key].drill(qms, PERIOD, point, series)


@pytest.mark.parametrize("key", VOLUME_CHARTS)
def test_empty_when_nothing_matches(qms, cards, key):
    nobody = replace(PERIOD, channel="fax")
    assert CHARTS[key].compute(qms, nobody).empty
    a_quiet_year = replace(PERIOD, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert CHARTS[key].compute(qms, a_quiet_year).empty


@pytest.mark.parametrize("key", VOLUME_CHARTS)
def test_a_period_ending_before_it_starts_is_empty_not_an_error(qms, cards, key):
    backwards = replace(PERIOD, start=date(2026, 3, 1), end=date(2026, 2, 1))
    assert CHARTS[key].compute(qms, backwards).empty


def test_one_day_period_has_one_week_and_one_month(qms, cards):
    day = replace(PERIOD, start=date(2026, 2, 15), end=date(2026, 2, 15))
    weeks = CHARTS["by_week_channel"].compute(qms, day)
    months = CHARTS["by_month_channel"].compute(qms, day)
    assert [p.key for p in weeks.points] == ["2026-W07"] and [p.key for p in months.points] == ["2026-02"]
    assert weeks.points[0].values == {"phone": 1, "web_form": 1} == months.points[0].values


def test_month_labels_in_the_users_language(qms, cards):
    with translation.override("en"):
        chart = CHARTS["by_month_channel"].compute(qms, PERIOD)
        assert chart.points[0].label == "January 2026"
        assert str(chart.series[0].label) == "Phone"
