"""Justification, loyalty, satisfaction and compensation against independent SQL, on a few dozen cards
spread over three years with duplicates, withdrawn cards, objections, cards of other periods and of
other departments, and cards on the edges of months and years in the company's time zone."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import translation

from amends.accounts.models import Department
from amends.analytics.charts import CHARTS, ChartData
from amends.analytics.filters import AnalyticsFilter
from amends.answers.choices import CompensationKind, GrantStatus
from amends.answers.models import CompensationGrant, CompensationOption
from amends.complaints.choices import Channel, Justification, Loyalty, RequestType, State
from amends.complaints.models import Complaint

# Marked, so that pytest-django runs these before the transactional tests that empty the role groups.
pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
PERIOD = AnalyticsFilter(start=date(2025, 3, 15), end=date(2026, 2, 10))

# Plain SQL of what is counted: complaints and claims, no duplicates, no withdrawn cards.
COUNTED = "c.request_type IN ('complaint', 'claim') AND c.state NOT IN ('duplicate', 'withdrawn')"


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


def db_time(moment: datetime):
    """A bound for raw SQL: SQLite keeps UTC text, PostgreSQL takes the aware datetime."""
    return connection.ops.adapt_datetimefield_value(moment)


def dimension(filters: AnalyticsFilter) -> tuple[str, list]:
    return ("AND c.department_concerned_id = %s", [filters.department]) if filters.department else ("", [])


def sql_rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sql_ids(filters: AnalyticsFilter, start: datetime, end: datetime, where: str = "", params=(),
            join: str = "") -> set[int]:
    """The counted cards received in [start, end) matching `where`, by plain SQL."""
    extra, extra_params = dimension(filters)
    rows = sql_rows(
        f"SELECT DISTINCT c.id FROM complaints_complaint c {join} WHERE {COUNTED} {extra} "
        f"AND c.received_at >= %s AND c.received_at < %s {where}",
        [*extra_params, db_time(start), db_time(end), *params],
    )
    return {row[0] for row in rows}


def sql_counts(filters: AnalyticsFilter, field: str, start: datetime, end: datetime) -> dict[str, int]:
    extra, params = dimension(filters)
    return dict(sql_rows(
        f"SELECT c.{field}, COUNT(*) FROM complaints_complaint c WHERE {COUNTED} {extra} "
        f"AND c.received_at >= %s AND c.received_at < %s GROUP BY c.{field}",
        [*params, db_time(start), db_time(end)],
    ))


def period_start(filters: AnalyticsFilter) -> datetime:
    return datetime.combine(filters.start, datetime.min.time(), tzinfo=MSK)


def period_end(filters: AnalyticsFilter) -> datetime:
    return datetime.combine(filters.end + timedelta(days=1), datetime.min.time(), tzinfo=MSK)


def year_range(year: int) -> tuple[datetime, datetime]:
    return msk(year, 1, 1), msk(year + 1, 1, 1)


def month_range(key: str, filters: AnalyticsFilter) -> tuple[datetime, datetime]:
    """The month, cut to the period."""
    year, month = map(int, key.split("-"))
    following = msk(year + month // 12, month % 12 + 1, 1)
    return max(msk(year, month, 1), period_start(filters)), min(following, period_end(filters))


def assert_drills(chart: ChartData, filters: AnalyticsFilter, user, expected_ids) -> None:
    """Every drillable figure's list is exactly the cards the independent SQL finds, as many as the
    figure says; a figure with no list of its own drills to its point's count series."""
    drill = CHARTS[chart.key].drill
    assert drill is not None
    for point in chart.points:
        for series in chart.series:
            ids = set(drill(user, filters, point.key, series.key).values_list("pk", flat=True))
            assert ids == expected_ids(point.key, series.key), (chart.key, point.key, series.key)
            if series.drillable:
                assert len(ids) == point.values[series.key], (chart.key, point.key, series.key)


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return {name: Department.objects.create(name=name) for name in ("Склад", "Доставка")}


# Moments on the edges of the period, its months and years (Moscow time), then ordinary days.
EDGES = [
    msk(2024, 12, 31, 23, 30), msk(2025, 1, 1, 0, 10), msk(2025, 3, 14, 23, 59), msk(2025, 3, 15, 0, 0),
    msk(2025, 4, 1, 0, 30), msk(2025, 4, 30, 23, 59), msk(2025, 12, 31, 23, 50), msk(2026, 1, 1, 0, 30),
    msk(2026, 2, 10, 23, 59), msk(2026, 2, 11, 0, 0), msk(2026, 12, 31, 22, 0), msk(2027, 1, 1, 0, 0),
]


@pytest.fixture
def cards(departments, qms) -> list[Complaint]:
    """66 cards from late 2024 to early 2027: every justification, loyalty and rating, left-out states
    and request types among them; compensation granted, pending and refused on some."""
    rng = random.Random(16)
    moments = EDGES + [msk(2025, 1, 1) + timedelta(hours=rng.randrange(0, 24 * 420)) for _ in range(54)]
    states = [State.CLOSED] * 6 + [State.REGISTERED, State.DUPLICATE, State.WITHDRAWN]
    kinds = [RequestType.COMPLAINT] * 4 + [RequestType.CLAIM, RequestType.OBJECTION, RequestType.OTHER]
    made = []
    for i, moment in enumerate(moments):
        made.append(Complaint.objects.create(
            number=f"T-{i:03}", received_at=moment, channel=Channel.EMAIL, wording=f"Жалоба {i}",
            state=rng.choice(states), request_type=rng.choice(kinds),
            department_concerned=rng.choice([*departments.values(), None]),
            justification=rng.choice([*Justification.values, ""]),
            loyalty=rng.choice([*Loyalty.values, ""]),
            satisfaction=rng.choice([None, None, *range(1, 11)]),
        ))
    option = CompensationOption.objects.create(kind=CompensationKind.REFUND, name="Возврат")
    statuses = [GrantStatus.APPROVED, GrantStatus.APPROVED, GrantStatus.PENDING, GrantStatus.REFUSED]
    for card in rng.sample(made, 30):
        for _ in range(rng.choice([1, 1, 2])):
            CompensationGrant.objects.create(
                complaint=card, option=option, value=Decimal(rng.randrange(100, 500000)) / 100, method="перевод",
                due_date=date(2026, 3, 1), granted_by=qms,
                status=rng.choice(statuses),
            )
    return made


@pytest.fixture(params=["all", "department"])
def filters(request, departments) -> AnalyticsFilter:
    if request.param == "all":
        return PERIOD
    return AnalyticsFilter(start=PERIOD.start, end=PERIOD.end, department=departments["Склад"].pk)


def compute(key: str, user, filters: AnalyticsFilter) -> ChartData:
    with translation.override("en"):
        return CHARTS[key].compute(user, filters)


def test_the_fixture_holds_what_the_figures_must_leave_out(cards, departments):
    """Else the tests below could not fail for counting duplicates, objections or other periods."""
    received = [card for card in cards if PERIOD.start <= card.received_at.astimezone(MSK).date() <= PERIOD.end]
    assert {card.state for card in received} >= {State.DUPLICATE, State.WITHDRAWN}
    assert {card.request_type for card in received} >= {RequestType.OBJECTION, RequestType.OTHER}
    assert {card.department_concerned for card in received} == {*departments.values(), None}
    assert CompensationGrant.objects.exclude(status=GrantStatus.APPROVED).exists()


STACKS = {
    "justification": {"justified": "justified", "partly": "partly", "unjustified": "unjustified", "undecided": ""},
    "loyalty": {"recommends": "recommends", "stays": "stays", "leaves": "leaves", "unknown": ""},
}


@pytest.mark.parametrize(("key", "field"), [("justification_by_year", "justification"), ("loyalty_by_year", "loyalty")])
def test_by_year_counts_whole_years(key, field, cards, filters, qms):
    chart = compute(key, qms, filters)
    assert [p.key for p in chart.points] == ["2025", "2026"]
    assert [s.key for s in chart.series] == list(STACKS[field])
    for point in chart.points:
        expected = sql_counts(filters, field, *year_range(int(point.key)))
        assert point.values == {series: expected.get(value, 0) for series, value in STACKS[field].items()}
    assert sum(sum(p.values.values()) for p in chart.points) > 0
    assert "2025–2026" in chart.note

    def expected_ids(point: str, series: str) -> set[int]:
        return sql_ids(filters, *year_range(int(point)), f"AND c.{field} = %s", [STACKS[field][series]])

    assert_drills(chart, filters, qms, expected_ids)


def test_justification_by_month_counts_the_period_in_company_months(cards, filters, qms):
    chart = compute("justification_by_month", qms, filters)
    assert [p.key for p in chart.points] == [f"2025-{m:02}" for m in range(3, 13)] + ["2026-01", "2026-02"]
    assert chart.points[0].label == "March 2025"
    for point in chart.points:
        expected = sql_counts(filters, "justification", *month_range(point.key, filters))
        assert point.values == {series: expected.get(value, 0) for series, value in STACKS["justification"].items()}
    total = sum(sum(p.values.values()) for p in chart.points)
    assert total == len(sql_ids(filters, period_start(filters), period_end(filters)))

    def expected_ids(point: str, series: str) -> set[int]:
        return sql_ids(filters, *month_range(point, filters), "AND c.justification = %s",
                       [STACKS["justification"][series]])

    assert_drills(chart, filters, qms, expected_ids)


def test_a_card_just_after_midnight_moscow_counts_in_the_new_month_and_year(db, qms):
    """2025-03-31 21:30 UTC is 1 April in Moscow; 2025-12-31 21:30 UTC is 1 January 2026."""
    for number, moment in [("A", msk(2025, 4, 1, 0, 30)), ("Y", msk(2026, 1, 1, 0, 30))]:
        Complaint.objects.create(number=number, received_at=moment, channel=Channel.EMAIL, wording="…",
                                 state=State.CLOSED, justification=Justification.JUSTIFIED)
    by_month = {p.key: p.values["justified"] for p in compute("justification_by_month", qms, PERIOD).points}
    by_year = {p.key: p.values["justified"] for p in compute("justification_by_year", qms, PERIOD).points}
    assert (by_month["2025-03"], by_month["2025-04"], by_month["2025-12"], by_month["2026-01"]) == (0, 1, 0, 1)
    assert by_year == {"2025": 1, "2026": 1}


def test_loyalty_note_gives_the_norms_and_each_years_shares(cards, qms):
    chart = compute("loyalty_by_year", qms, PERIOD)
    assert "at most 2 in 10" in chart.note and "at most 3 in 10" in chart.note
    for year in (2025, 2026):
        counts = sql_counts(PERIOD, "loyalty", *year_range(year))
        known = sum(n for value, n in counts.items() if value)
        not_recommending = counts.get(Loyalty.STAYS, 0) + counts.get(Loyalty.LEAVES, 0)
        assert known
        expected = (f"{year}: {round(100 * not_recommending / known)} % would not recommend us, "
                    f"{round(100 * counts.get(Loyalty.LEAVES, 0) / known)} % leave (of {known} cards")
        assert expected in chart.note


def test_loyalty_beyond_the_norm_is_said(db, qms):
    # 10 with loyalty recorded: 3 stay without recommending (30 % > 20 %), none leaves.
    for i, loyalty in enumerate([Loyalty.RECOMMENDS] * 7 + [Loyalty.STAYS] * 3):
        Complaint.objects.create(number=f"L-{i}", received_at=msk(2025, 6, 1 + i), channel=Channel.PHONE,
                                 wording="…", state=State.CLOSED, loyalty=loyalty)
    note = compute("loyalty_by_year", qms, PERIOD).note
    assert "2025: 30 % would not recommend us, 0 % leave (of 10 cards with loyalty recorded). Beyond the norm" in note
    Complaint.objects.filter(number="L-9").update(loyalty=Loyalty.RECOMMENDS)  # 20 %: at the norm, not beyond
    assert "Beyond the norm" not in compute("loyalty_by_year", qms, PERIOD).note


def test_satisfaction_mean_and_rated_by_year(cards, filters, qms):
    chart = compute("satisfaction_by_year", qms, filters)
    assert [p.key for p in chart.points] == ["2025", "2026"]
    extra, params = dimension(filters)
    for point in chart.points:
        start, end = year_range(int(point.key))
        (mean, rated), = sql_rows(
            f"SELECT AVG(c.satisfaction), COUNT(c.satisfaction) FROM complaints_complaint c WHERE {COUNTED} {extra} "
            "AND c.received_at >= %s AND c.received_at < %s",
            [*params, db_time(start), db_time(end)],
        )
        assert rated
        assert point.values == {"mean": round(float(mean), 1), "rated": rated}

    def expected_ids(point: str, series: str) -> set[int]:
        return sql_ids(filters, *year_range(int(point)), "AND c.satisfaction IS NOT NULL")

    assert_drills(chart, filters, qms, expected_ids)


def test_compensation_counts_approved_grants_of_the_months_cards(cards, filters, qms):
    chart = compute("compensation_by_month", qms, filters)
    assert len(chart.points) == 12
    assert chart.series[0].unit == "RUB"
    extra, params = dimension(filters)
    for point in chart.points:
        start, end = month_range(point.key, filters)
        (amount, grants), = sql_rows(
            "SELECT SUM(g.value), COUNT(DISTINCT g.complaint_id) FROM answers_compensationgrant g "
            f"JOIN complaints_complaint c ON c.id = g.complaint_id WHERE {COUNTED} {extra} "
            "AND g.status = 'approved' AND c.received_at >= %s AND c.received_at < %s",
            [*params, db_time(start), db_time(end)],
        )
        assert point.values == {"amount": float(Decimal(str(amount or 0))), "grants": grants}
    assert sum(p.values["grants"] for p in chart.points) > 0
    assert any(p.values["amount"] != round(p.values["amount"]) for p in chart.points)  # kopecks kept

    def expected_ids(point: str, series: str) -> set[int]:
        return sql_ids(filters, *month_range(point, filters), "AND g.status = 'approved'",
                       join="JOIN answers_compensationgrant g ON g.complaint_id = c.id")

    assert_drills(chart, filters, qms, expected_ids)


OUTCOME_CHARTS = ["justification_by_year", "justification_by_month", "loyalty_by_year", "satisfaction_by_year",
                  "compensation_by_month"]


BAD_INPUT = ["an empty period", "ends before it starts", "matches nothing"]


def bad_input(case: str) -> AnalyticsFilter:
    """Filters the page shows an empty state for; "an empty period" is a year with no data."""
    if case == "an empty period":
        return AnalyticsFilter(start=date(2030, 1, 1), end=date(2030, 12, 31))
    if case == "ends before it starts":
        return AnalyticsFilter(start=date(2026, 2, 1), end=date(2025, 4, 1))
    nobody = Department.objects.create(name="Никто")
    return AnalyticsFilter(start=PERIOD.start, end=PERIOD.end, department=nobody.pk)


@pytest.mark.parametrize("key", OUTCOME_CHARTS)
@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gives_an_empty_chart(key, case, cards, qms):
    assert compute(key, qms, bad_input(case)).empty
    assert not compute(key, qms, PERIOD).empty


@pytest.mark.parametrize(("key", "point", "series"), [
    ("justification_by_year", "2019", "justified"), ("justification_by_year", "2025", "maybe"),
    ("justification_by_month", "2025-13", "justified"), ("loyalty_by_year", "nonsense", "stays"),
    ("satisfaction_by_year", "2025", "median"), ("compensation_by_month", "2024-01", "grants"),
])
def test_drill_refuses_a_point_or_series_the_chart_does_not_have(key, point, series, qms):
    with pytest.raises(ValueError):
        CHARTS[key].drill(qms, PERIOD, point, series)
