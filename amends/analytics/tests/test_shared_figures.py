"""Figures several charts of a page read are read once while the page is computed, give the same
charts as each computed alone, and are kept no longer: a new card shows at the next computing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.analytics.charts import CHARTS
from amends.analytics.dashboards import DASHBOARDS, dashboard_charts
from amends.analytics.figures.shared import computed_together, once
from amends.complaints.choices import Channel

from .volume_fixtures import PERIOD, _card, cards_fixture, local  # noqa: F401

pytestmark = pytest.mark.django_db


def queries_of(compute) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        result = compute()
    return result, len(queries)


# intake: the month counts; outcomes: the years' counts; timeliness: the clocks' (PostgreSQL reads both
# charts' figures in one query, SQLite each chart's own).
SAVED = {"intake": lambda: 1, "outcomes": lambda: 2, "timeliness": lambda: int(connection.vendor == "postgresql")}


@pytest.mark.parametrize("board", SAVED)
def test_a_page_reads_the_shared_figures_once_and_draws_the_same_charts(board, qms, cards):
    dashboard = DASHBOARDS[board]
    CHARTS["open_by_state"].compute(qms, PERIOD)  # the user's relations, read once per user
    alone, own_queries = queries_of(lambda: [CHARTS[key].compute(qms, PERIOD) for key in dashboard.charts])
    together, shared_queries = queries_of(lambda: dashboard_charts(qms, dashboard, PERIOD))
    assert together == alone
    assert own_queries - shared_queries == SAVED[board]()


def test_a_new_card_shows_at_the_next_computing(qms, cards):
    def january_cards() -> int:
        chart = dashboard_charts(qms, DASHBOARDS["intake"], PERIOD)[1]
        return sum(next(point for point in chart.points if point.key == "2026-01").values.values())

    before = january_cards()
    _card(900, local(2026, 1, 20), Channel.FAX)
    assert january_cards() == before + 1


def test_once_computes_each_time_outside_a_page_and_once_inside():
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert [once("figure", compute), once("figure", compute)] == [1, 2]
    with computed_together():
        assert [once("figure", compute), once("figure", compute), once("other", compute)] == [3, 3, 4]
    assert once("figure", compute) == 5
