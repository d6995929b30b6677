"""The Pareto charts by category and cause and the open cards by state and age, against plain SQL,
and each drill against the figure it stands behind."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from amends.analytics.charts import CHARTS
from amends.analytics.figures.causes import open_by_age, open_by_age_drill

from .volume_fixtures import COUNTED_WHERE, PERIOD, cards_fixture, local, period_bounds, sql_rows  # noqa: F401

pytestmark = pytest.mark.django_db

CAUSE_CHARTS = ("pareto_category", "pareto_cause", "open_by_state", "open_by_age")
OPEN_IN_ORDER = ["registered", "assigned", "investigating", "decided", "measures_planned", "in_progress",
                 "resolved", "answered"]
OPEN_LIST = ", ".join(f"'{state}'" for state in OPEN_IN_ORDER)


def in_period(extra: str = "", params: tuple = ()) -> tuple[str, list]:
    start, end = period_bounds()
    return f"WHERE {COUNTED_WHERE} AND c.received_at >= %s AND c.received_at < %s{extra}", [start, end, *params]


def pareto_expected(rows: list[tuple]) -> list[tuple[str, int, float]]:
    total = sum(count for _key, count in rows)
    ordered = sorted(rows, key=lambda row: (-row[1], row[0] is None, row[0] or 0))
    running, expected = 0, []
    for key, count in ordered:
        running += count
        expected.append(("none" if key is None else str(key), count, round(running * 100 / total, 1)))
    return expected


def pareto_figures(chart) -> list[tuple[str, int, float]]:
    return [(p.key, p.values["cards"], p.values["cumulative"]) for p in chart.points]


def test_the_chart_keys_are_registered():
    assert set(CAUSE_CHARTS) <= set(CHARTS)


def test_pareto_by_category_counts_a_subcategory_for_its_parent(qms, cards):
    where, params = in_period()
    rows = sql_rows(
        "SELECT COALESCE(k.parent_id, c.category_id), COUNT(*) FROM complaints_complaint c"
        f" LEFT JOIN complaints_category k ON k.id = c.category_id {where}"
        " GROUP BY COALESCE(k.parent_id, c.category_id)", params,
    )
    chart = CHARTS["pareto_category"].compute(qms, PERIOD)
    got = pareto_figures(chart)
    assert got == pareto_expected(rows)
    assert [count for _k, count, _c in got] == sorted((count for _k, count, _c in got), reverse=True)
    assert {key for key, _n, _c in got} == {str(cards.delivery.pk), str(cards.quality.pk), "none"}
    assert got[-1][2] == 100.0 and chart.mark == 80.0 and chart.kind == "pareto"
    with translation.override("en"):
        labels = {p.key: str(p.label) for p in CHARTS["pareto_category"].compute(qms, PERIOD).points}
    assert labels == {str(cards.delivery.pk): "T-Delivery", str(cards.quality.pk): "T-Quality", "none": "No category"}


def test_pareto_by_cause_against_sql(qms, cards):
    where, params = in_period()
    rows = sql_rows(f"SELECT c.cause_id, COUNT(*) FROM complaints_complaint c {where} GROUP BY c.cause_id", params)
    got = pareto_figures(CHARTS["pareto_cause"].compute(qms, PERIOD))
    assert got == pareto_expected(rows)
    assert len(got) == 4  # three causes and none


def test_pareto_with_a_category_filter_counts_its_subcategories(qms, cards):
    filters = replace(PERIOD, category=cards.quality.pk)
    where, params = in_period(" AND (c.category_id = %s OR k.parent_id = %s)", (cards.quality.pk, cards.quality.pk))
    (count,) = sql_rows(
        f"SELECT COUNT(*) FROM complaints_complaint c LEFT JOIN complaints_category k ON k.id = c.category_id {where}",
        params,
    )[0]
    chart = CHARTS["pareto_category"].compute(qms, filters)
    assert pareto_figures(chart) == [(str(cards.quality.pk), count, 100.0)]


def test_open_by_state_counts_open_cards_up_to_the_periods_end(qms, cards):
    _start, end = period_bounds()
    rows = sql_rows(
        f"SELECT c.state, COUNT(*) FROM complaints_complaint c WHERE {COUNTED_WHERE}"
        f" AND c.received_at < %s AND c.state IN ({OPEN_LIST}) GROUP BY c.state", [end],
    )
    chart = CHARTS["open_by_state"].compute(qms, PERIOD)
    assert [p.key for p in chart.points] == OPEN_IN_ORDER
    assert {p.key: p.values["cards"] for p in chart.points if p.values["cards"]} == dict(rows)
    # the card of 9 January, before the period, is still open and counted
    assert dict(rows)["investigating"] > len(sql_rows(
        f"SELECT c.id FROM complaints_complaint c WHERE {COUNTED_WHERE} AND c.received_at >= %s AND c.received_at < %s"
        " AND c.state = 'investigating'", [*period_bounds()],
    ))


BANDS = [("0-1", 0, 1), ("2-3", 2, 3), ("4-10", 4, 10), ("11-30", 11, 30), ("31-90", 31, 90), ("91+", 91, None)]


def test_open_by_age_against_sql(qms, cards):
    from amends.complaints.models import Complaint

    now = local(2026, 3, 20, 18)
    # ages on the bands' edges: 1 day 23 hours, 2 days, 10 days, 11 days, 90 days 23 hours
    for number, age in enumerate([timedelta(days=1, hours=23), timedelta(days=2), timedelta(days=10),
                                  timedelta(days=11), timedelta(days=90, hours=23)], start=500):
        Complaint.objects.create(number=f"1999-{number:06d}", received_at=now - age, channel="email", wording="...")
    _start, end = period_bounds()
    expected = {}
    for key, first, last in BANDS:
        query = (f"SELECT COUNT(*) FROM complaints_complaint c WHERE {COUNTED_WHERE} AND c.received_at < %s"
                 f" AND c.state IN ({OPEN_LIST}) AND c.received_at <= %s")
        params = [end, now - timedelta(days=first)]
        if last is not None:
            query += " AND c.received_at > %s"
            params.append(now - timedelta(days=last + 1))
        expected[key] = sql_rows(query, params)[0][0]
    chart = open_by_age(qms, PERIOD, now=now)
    assert {p.key: p.values["cards"] for p in chart.points} == expected
    assert expected["0-1"] >= 2 and expected["2-3"] >= 1 and expected["4-10"] >= 1 and expected["11-30"] >= 1
    for point in chart.points:
        assert open_by_age_drill(qms, PERIOD, point.key, "cards", now=now).count() == point.values["cards"]


@pytest.mark.parametrize("key", CAUSE_CHARTS)
def test_each_drill_returns_exactly_the_counted_cards(qms, cards, key):
    spec = CHARTS[key]
    chart = spec.compute(qms, PERIOD)
    seen: list[int] = []
    for point in chart.points:
        for series in chart.series:
            drilled = list(spec.drill(qms, PERIOD, point.key, series.key).values_list("pk", flat=True))
            if series.drillable:
                assert len(drilled) == point.values[series.key], (point.key, series.key)
                seen += drilled
            else:  # the cumulative share's list is its bar's
                assert len(drilled) == point.values["cards"]
    start, end = period_bounds()
    if key.startswith("pareto"):
        where, params = "c.received_at >= %s AND c.received_at < %s", [start, end]
    else:
        where, params = f"c.received_at < %s AND c.state IN ({OPEN_LIST})", [end]
    every = {pk for (pk,) in sql_rows(f"SELECT c.id FROM complaints_complaint c WHERE {COUNTED_WHERE} AND {where}",
                                      params)}
    assert len(seen) == len(set(seen)) and set(seen) == every


@pytest.mark.parametrize(("key", "point", "series"), [
    ("pareto_category", "delivery", "cards"), ("pareto_cause", "1", "share"),
    ("open_by_state", "closed", "cards"), ("open_by_state", "registered", "open"), ("open_by_age", "5-7", "cards"),
])
def test_an_unknown_point_or_series_is_a_value_error(qms, cards, key, point, series):
    with pytest.raises(ValueError):
        CHARTS[key].drill(qms, PERIOD, point, series)


@pytest.mark.parametrize("key", CAUSE_CHARTS)
def test_empty_when_nothing_matches(qms, cards, key):
    assert CHARTS[key].compute(qms, replace(PERIOD, channel="fax")).empty
    before_any_card = replace(PERIOD, start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert CHARTS[key].compute(qms, before_any_card).empty


@pytest.mark.parametrize("key", ("pareto_category", "pareto_cause"))
def test_a_period_ending_before_it_starts_is_empty_not_an_error(qms, cards, key):
    assert CHARTS[key].compute(qms, replace(PERIOD, start=date(2026, 3, 1), end=date(2026, 2, 1))).empty


def test_every_open_card_has_an_age_band(qms, cards):
    """Through the registry the bands are counted at the moment of the request: all open cards."""
    filters = replace(PERIOD, end=timezone.localdate())
    by_age = CHARTS["open_by_age"].compute(qms, filters)
    by_state = CHARTS["open_by_state"].compute(qms, filters)
    assert sum(p.values["cards"] for p in by_age.points) == sum(p.values["cards"] for p in by_state.points) > 0
