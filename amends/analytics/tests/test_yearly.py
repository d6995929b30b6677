"""The yearly statement's figures against independent SQL over the cards, and the year without data."""

from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from amends.analytics.charts import CHARTS, ChartData, ChartSpec, Point, Series, register_chart
from amends.analytics.yearly import NONE, yearly_figures
from amends.capa.models import Action, EffectivenessCheck, Nonconformity
from amends.capa.nonconformities import nonconformity_open
from amends.complaints.choices import Loyalty

from .yearly_fixtures import YEAR, local, sql_grouped, sql_satisfaction, year_bounds


def rows(figures, section: str) -> dict:
    found = next(s for s in figures.sections if s.key == section)
    return {row.key: row for row in found.rows}


def sql_keyed(column: str, year: int) -> dict:
    return {NONE if key in (None, "") else str(key): n for key, n in sql_grouped(column, year).items()}


@pytest.mark.django_db
def test_card_figures_match_independent_sql_for_both_years(two_years, manager):
    figures = yearly_figures(manager, YEAR)
    for year, counts in ((YEAR, figures.current), (YEAR - 1, figures.previous)):
        assert counts.by_channel == sql_keyed("channel", year)
        assert counts.justification == sql_keyed("justification", year)
        assert counts.loyalty == sql_keyed("loyalty", year)
        assert counts.by_cause == sql_keyed("cause_id", year)
        assert counts.received == sum(sql_grouped("channel", year).values())
        total, rated = sql_satisfaction(year)
        assert (counts.satisfaction_sum, counts.rated) == (total, rated)
    # The known values, so that the SQL itself is checked too: duplicates, withdrawn cards,
    # objections and the year before the year before are out; the New Year's cards are in.
    assert (figures.current.received, figures.previous.received) == (16, 6)
    assert figures.current.justification == {"justified": 7, "partly": 3, "unjustified": 4, NONE: 2}
    received = rows(figures, "received")
    assert (received["received"].current, received["received"].previous, received["received"].change) == (16, 6, 10)
    assert received["email"].current == 7 and received["social"].current == 1


@pytest.mark.django_db
def test_shares_and_means_are_computed_from_the_counts(two_years, manager):
    figures = yearly_figures(manager, YEAR)
    justification = rows(figures, "justification")
    assert justification["justified_share"].current == round(100 * 10 / 14, 1)  # 2 undecided left out
    assert justification["justified_share"].previous == round(100 * 5 / 6, 1)
    loyalty = rows(figures, "loyalty")
    # Asked in YEAR: 4 + 1 recommend, 3 stay, 3 leave = 11.
    assert loyalty[Loyalty.RECOMMENDS].current == 5
    assert loyalty["not_recommending"].current == round(100 * 6 / 11, 1)
    assert loyalty["leaving"].current == round(100 * 3 / 11, 1)
    assert loyalty["leaving"].previous == round(100 * 5 / 6, 1)
    total, rated = sql_satisfaction(YEAR)
    satisfaction = rows(figures, "satisfaction")
    assert satisfaction["mean"].current == round(total / rated, 1)
    assert satisfaction["rated"].current == rated == 10
    assert satisfaction["mean"].previous == round((5 * 4 + 9) / 6, 1)


@pytest.mark.django_db
def test_causes_are_a_pareto_with_the_cumulative_share(two_years, manager):
    with translation.override("ru"):  # the cause's own name, whatever an earlier test's request left active
        causes = next(s for s in yearly_figures(manager, YEAR).sections if s.key == "causes")
    expected = sorted(sql_keyed("cause_id", YEAR).items(), key=lambda item: -item[1])
    assert [(row.key, row.current) for row in causes.rows[:len(expected)]] == expected
    assert [row.current for row in causes.rows] == [7, 4, 3, 2]
    assert [row.cumulative for row in causes.rows] == [43.8, 68.8, 87.5, 100.0]
    assert causes.rows[0].label == "Брак комплектующих" and causes.rows[0].previous == 5


@pytest.mark.django_db
def test_suppliers_against_norms_match_independent_sql(two_years, manager):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(c.supplier_id, m.supplier_id), COUNT(*) FROM complaints_complaint c"
            " JOIN complaints_cause k ON k.id = c.cause_id LEFT JOIN customers_component m ON m.id = c.component_id"
            " WHERE k.kind = 'supplier' AND c.justification IN ('justified', 'partly')"
            " AND c.state NOT IN ('duplicate', 'withdrawn') AND c.request_type IN ('complaint', 'claim')"
            " AND c.received_at >= %s AND c.received_at < %s GROUP BY 1", year_bounds(YEAR))
        expected = dict(cursor.fetchall())
    norms = rows(yearly_figures(manager, YEAR), "norms")
    supplier = two_years["supplier"]
    row = norms[f"supplier:{supplier.pk}"]
    assert row.current == expected[supplier.pk] == 7
    assert (row.previous, row.norm, row.exceeded) == (5, 6, True)
    assert norms["manufacturer:"].current == 3 and not norms["manufacturer:"].exceeded


@pytest.mark.django_db
def test_corrective_actions_count_by_their_dates(two_years, manager, qms, responsible):
    def opened(at, closed=None) -> Nonconformity:
        record = nonconformity_open(actor=qms, title="Аккумуляторы теряют ёмкость", owner=responsible)
        Nonconformity.objects.filter(pk=record.pk).update(opened_at=at, closed_at=closed)
        return record

    first = opened(local(YEAR, 2), closed=local(YEAR, 11))
    opened(local(YEAR, 12, 31, 23, 30))
    opened(local(YEAR - 1, 5), closed=local(YEAR, 1, 1, 0, 5))
    action = Action.objects.create(nonconformity=first, description="Входной контроль", owner=responsible,
                                   due_date=date(YEAR, 5, 1), check_on=date(YEAR, 9, 1), done_at=local(YEAR, 4))
    Action.objects.create(nonconformity=first, description="Смена поставщика", owner=responsible,
                          due_date=date(YEAR, 5, 1), check_on=date(YEAR, 9, 1), done_at=local(YEAR - 1, 4))
    for effective, at in ((True, local(YEAR, 9)), (False, local(YEAR, 7)), (True, local(YEAR - 1, 9))):
        EffectivenessCheck.objects.create(action=action, effective=effective, comment="Проверено", checked_by=qms,
                                          checked_at=at)
    capa = rows(yearly_figures(manager, YEAR), "capa")

    def sql_count(table: str, column: str, year: int, extra: str = "", params: tuple = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} >= %s AND {column} < %s{extra}",
                           [*year_bounds(year), *params])
            return cursor.fetchone()[0]

    for year, side in ((YEAR, "current"), (YEAR - 1, "previous")):
        assert getattr(capa["opened"], side) == sql_count("capa_nonconformity", "opened_at", year)
        assert getattr(capa["closed"], side) == sql_count("capa_nonconformity", "closed_at", year)
        assert getattr(capa["actions_done"], side) == sql_count("capa_action", "done_at", year)
        for key, effective in (("effective", True), ("not_effective", False)):
            assert getattr(capa[key], side) == sql_count(
                "capa_effectivenesscheck", "checked_at", year, " AND effective = %s", (effective,))
    assert (capa["opened"].current, capa["closed"].current, capa["actions_done"].current) == (2, 2, 1)
    assert (capa["effective"].current, capa["not_effective"].current, capa["effective_share"].current) == (1, 1, 50.0)
    assert (capa["effective"].previous, capa["effective_share"].previous) == (1, 100.0)


@pytest.mark.django_db
def test_a_year_without_data_says_so(manager):
    figures = yearly_figures(manager, 2011)
    assert figures.empty
    assert figures.current.received == 0 and figures.current.satisfaction_mean is None
    assert rows(figures, "justification")["justified_share"].current is None


@pytest.mark.django_db
def test_timeliness_is_the_dashboards_chart_for_each_whole_year(two_years, manager):
    asked = []

    def compute(user, filters) -> ChartData:
        asked.append((filters.start, filters.end))
        median = 5.0 if filters.start.year == YEAR else 8.5
        return ChartData("response_times", "Response times", "bars",
                         [Series("median_h", "Median", "h", False), Series("p90_h", "p90", "h", False)],
                         [Point("first_response", "First response", {"median_h": median, "p90_h": 20.0})])

    saved = CHARTS.get("response_times")
    register_chart(ChartSpec("response_times", "Response times", compute))
    try:
        timeliness = rows(yearly_figures(manager, YEAR), "timeliness")
    finally:
        CHARTS.pop("response_times")
        if saved is not None:
            register_chart(saved)
    assert asked == [(date(YEAR, 1, 1), date(YEAR, 12, 31)), (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31))]
    row = timeliness["first_response:median_h"]
    assert (row.current, row.previous, row.change, row.unit) == (5.0, 8.5, -3.5, "h")
