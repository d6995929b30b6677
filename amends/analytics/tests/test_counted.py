"""The ONE base of every figure, counted_complaints, against plain SQL over the fixture's cards."""

from dataclasses import replace

import pytest
from django.db import connection
from django.db.models import Count

from amends.analytics.selectors import counted_complaints

from . import board_fixtures
from .board_fixtures import COUNTED_IN_PERIOD, COUNTED_OUTSIDE

counted_cards = board_fixtures.counted_cards  # the fixture, where pytest finds it

COUNTED = (
    "FROM complaints_complaint WHERE request_type IN ('complaint', 'claim') "
    "AND state NOT IN ('duplicate', 'withdrawn')"
)


def sql_rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def period_params(filters) -> list:
    start, end = filters.bounds()
    return [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)]


def sql_count(filters, condition: str = "", params: tuple = ()) -> int:
    sql = f"SELECT COUNT(*) {COUNTED} AND received_at >= %s AND received_at < %s {condition}"
    return sql_rows(sql, [*period_params(filters), *params])[0][0]


def test_the_period_counts_complaints_and_claims_only(qms, counted_cards):
    filters = counted_cards.filters
    assert counted_complaints(qms, filters).count() == sql_count(filters) == COUNTED_IN_PERIOD


def test_without_the_period_every_counted_card_is_there(qms, counted_cards):
    total = sql_rows(f"SELECT COUNT(*) {COUNTED}", [])[0][0]
    assert counted_complaints(qms, counted_cards.filters, period=False).count() == total
    assert total == COUNTED_IN_PERIOD + COUNTED_OUTSIDE


def test_the_period_is_read_in_the_company_time_zone(qms, counted_cards):
    """The edges: 00:00 on the first day is in, 23:30 on the last day is in (20:30 UTC, still the
    last day in Moscow), 23:59 the day before and 00:00 the day after are out."""
    filters = counted_cards.filters
    first_day = replace(filters, end=filters.start)
    last_day = replace(filters, start=filters.end)
    assert counted_complaints(qms, first_day).count() == sql_count(first_day) == 1
    assert counted_complaints(qms, last_day).count() == sql_count(last_day) == 1


def test_each_dimension_counts_as_sql_does(qms, counted_cards):
    fixture = counted_cards
    cases = [
        ({"department": fixture.departments[0].pk}, "AND department_concerned_id = %s", (fixture.departments[0].pk,)),
        ({"department": fixture.departments[1].pk}, "AND department_concerned_id = %s", (fixture.departments[1].pk,)),
        ({"product": fixture.products[1].pk}, "AND product_id = %s", (fixture.products[1].pk,)),
        ({"channel": "email"}, "AND channel = %s", ("email",)),
        ({"responsible": fixture.people[1].pk}, "AND responsible_id = %s", (fixture.people[1].pk,)),
        # A category counts its subcategories too.
        ({"category": fixture.parent.pk},
         "AND (category_id = %s OR category_id IN (SELECT id FROM complaints_category WHERE parent_id = %s))",
         (fixture.parent.pk, fixture.parent.pk)),
        ({"category": fixture.child.pk}, "AND category_id = %s", (fixture.child.pk,)),
        ({"department": fixture.departments[0].pk, "channel": "web_form"},
         "AND department_concerned_id = %s AND channel = %s", (fixture.departments[0].pk, "web_form")),
    ]
    for changes, condition, params in cases:
        filters = replace(fixture.filters, **changes)
        expected = sql_count(filters, condition, params)
        assert counted_complaints(qms, filters).count() == expected, changes
        assert 0 < expected < COUNTED_IN_PERIOD, changes  # each case really narrows the count


def test_a_filter_that_matches_nothing_counts_nothing(qms, counted_cards):
    department, product = counted_cards.departments[0].pk, counted_cards.products[1].pk
    filters = replace(counted_cards.filters, department=department, product=product)
    condition = "AND department_concerned_id = %s AND product_id = %s"
    assert counted_complaints(qms, filters).count() == sql_count(filters, condition, (department, product)) == 0


def test_grouped_by_channel_as_sql_groups(qms, counted_cards):
    filters = counted_cards.filters
    rows = sql_rows(
        f"SELECT channel, COUNT(*) {COUNTED} AND received_at >= %s AND received_at < %s GROUP BY channel",
        period_params(filters),
    )
    grouped = counted_complaints(qms, filters).values("channel").annotate(n=Count("pk")).order_by()
    assert {row["channel"]: row["n"] for row in grouped} == dict(rows)
    assert sum(dict(rows).values()) == COUNTED_IN_PERIOD


@pytest.mark.parametrize("role", ["responsible", "operator"])
def test_a_person_who_sees_some_cards_counts_only_those(request, counted_cards, role):
    from amends.complaints.selectors import complaints_visible_to

    user = request.getfixturevalue(role)
    counted = counted_complaints(user, counted_cards.filters)
    visible = complaints_visible_to(user)
    assert not counted.exclude(pk__in=visible.values("pk")).exists()
