"""Response times (median and 90th percentile) and the on-time share per clock against independent SQL:
the clocks' rows are read with a plain SELECT and the figures computed here in Python, on cards with
clocks met by a person on time and late, met by registration, stopped, paused, running past their due
time and not yet due, a reopened card's second clock, and the same on cards that must not count."""

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from amends.analytics.charts import CHARTS
from amends.analytics.figures.timeliness import measured_times, period_clocks
from amends.analytics.filters import AnalyticsFilter
from amends.complaints.choices import Channel, RequestType, State
from amends.complaints.models import Complaint
from amends.deadlines.choices import Basis, ClockKind
from amends.deadlines.models import Clock

from .test_outcomes import (  # noqa: F401 - departments and filters are fixtures
    BAD_INPUT,
    COUNTED,
    PERIOD,
    assert_drills,
    bad_input,
    compute,
    db_time,
    departments,
    dimension,
    filters,
    msk,
    period_end,
    period_start,
    sql_rows,
)

# Marked, so that pytest-django runs these before the transactional tests that empty the role groups.
pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
FAR = msk(2035, 1, 1)  # a due time not reached while these tests run
ALLOWANCE = {ClockKind.FIRST_RESPONSE: timedelta(hours=24), ClockKind.DECISION: timedelta(days=10),
             ClockKind.ANSWER: timedelta(days=30)}


def clock(card: Complaint, kind: str, *, started: datetime | None = None, met: timedelta | None = None,
          due: datetime | None = None, paused: timedelta = timedelta(0), by_registration: bool = False,
          stopped: bool = False, paused_now: bool = False) -> Clock:
    """A clock started at receipt (or `started`), met `met` after its start (None: not met)."""
    started = started or card.received_at
    due = due or started + ALLOWANCE[kind]
    return Clock.objects.create(
        complaint=card, kind=kind, allowance=ALLOWANCE[kind], basis=Basis.CALENDAR, started_at=started,
        at_risk_at=due - HOUR, due_at=due, escalate_at=due + HOUR, paused_total=paused,
        met_at=started + met if met is not None else None, met_by_registration=by_registration,
        stopped_at=started + HOUR if stopped else None, paused_at=started + HOUR if paused_now else None,
    )


def card(number: str, received: datetime, **fields) -> Complaint:
    values = {"channel": Channel.EMAIL, "state": State.CLOSED, "wording": "…", **fields}
    return Complaint.objects.create(number=number, received_at=received, **values)


@pytest.fixture
def clocks(departments) -> list[Clock]:  # noqa: F811
    """About 50 cards around the period with two or three clocks each, every kind of fate among them."""
    rng = random.Random(1602)
    states = [State.CLOSED] * 5 + [State.INVESTIGATING, State.DUPLICATE, State.WITHDRAWN]
    kinds = [RequestType.COMPLAINT] * 4 + [RequestType.CLAIM, RequestType.OBJECTION]
    made = []
    for i in range(50):
        received = msk(2025, 2, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 420))
        complaint = card(
            f"K-{i:03}", received, state=rng.choice(states), request_type=rng.choice(kinds),
            department_concerned=rng.choice([*departments.values(), None]),
        )
        fates = [
            {"met": timedelta(minutes=rng.randrange(5, 60 * 40))},  # on time or late
            {"met": timedelta(minutes=rng.randrange(5, 60 * 40))},
            {"met": timedelta(minutes=rng.randrange(60, 60 * 50)), "paused": timedelta(minutes=rng.randrange(1, 600))},
            {"met": timedelta(0), "by_registration": True},
            {"stopped": True},
            {},  # running, past due: late
            {"due": FAR},  # running, not due yet: not judged
            {"paused_now": True},  # waiting for the customer: not late
        ]
        made.append(clock(complaint, ClockKind.FIRST_RESPONSE, **rng.choice(fates)))
        made.append(clock(complaint, ClockKind.DECISION, **rng.choice(fates)))
        if i % 7 == 0:
            # Reopened: a second decision clock from the reopening.
            reopened = received + timedelta(days=20)
            made.append(clock(complaint, ClockKind.DECISION, started=reopened, **rng.choice(fates)))
        if i % 3 == 0:
            made.append(clock(complaint, ClockKind.ANSWER, met=timedelta(days=rng.randrange(1, 40))))
    return made


def clock_rows(chosen: AnalyticsFilter, where: str, params=()) -> list[tuple]:
    """(kind, card id, started_at, met_at, paused_total, due_at) of the counted cards' clocks, by plain SQL."""
    extra, extra_params = dimension(chosen)
    return sql_rows(
        "SELECT cl.kind, cl.complaint_id, cl.started_at, cl.met_at, cl.paused_total, cl.due_at "
        f"FROM deadlines_clock cl JOIN complaints_complaint c ON c.id = cl.complaint_id WHERE {COUNTED} {extra} "
        f"AND c.received_at >= %s AND c.received_at < %s {where}",
        [*extra_params, db_time(period_start(chosen)), db_time(period_end(chosen)), *params],
    )


def moment(value) -> datetime:
    """A datetime as either database returns it: SQLite's naive UTC, PostgreSQL's aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def duration(value) -> timedelta:
    """SQLite keeps a duration as microseconds, PostgreSQL as an interval."""
    return value if isinstance(value, timedelta) else timedelta(microseconds=value)


def measured_by_kind(chosen: AnalyticsFilter) -> dict[str, tuple[list[float], set[int]]]:
    """{kind: (seconds of each clock met by a person, the cards)}."""
    found: dict[str, tuple[list[float], set[int]]] = {}
    rows = clock_rows(chosen, "AND cl.met_at IS NOT NULL AND cl.met_by_registration = %s", [False])
    for kind, card_id, started, met, paused, _due in rows:
        seconds = (moment(met) - moment(started) - duration(paused)).total_seconds()
        times, cards = found.setdefault(kind, ([], set()))
        times.append(seconds)
        cards.add(card_id)
    return found


def percentiles(times: list[float]) -> tuple[float, float]:
    """The median and the 90th percentile, interpolated as PERCENTILE_CONT does."""
    if len(times) == 1:
        return times[0], times[0]
    cuts = statistics.quantiles(times, n=10, method="inclusive")
    return statistics.median(times), cuts[8]


def test_response_times_median_and_p90_per_clock(clocks, filters, qms):  # noqa: F811
    chart = compute("response_times", qms, filters)
    expected = measured_by_kind(filters)
    assert [p.key for p in chart.points] == [k for k in ClockKind.values if k in expected]
    assert {ClockKind.FIRST_RESPONSE, ClockKind.DECISION} <= set(expected)
    assert all(len(times) > 2 for times, _cards in expected.values())
    figures = measured_times(period_clocks(qms, filters).filter(met_at__isnull=False, met_by_registration=False))
    for point in chart.points:
        times, cards = expected[point.key]
        median, p90 = percentiles(times)
        assert figures[point.key]["median_h"] == pytest.approx(median, abs=0.01)  # seconds
        assert figures[point.key]["p90_h"] == pytest.approx(p90, abs=0.01)
        assert point.values["measured"] == len(cards)
        # Hours to a tenth: SQLite's julianday may round a half-tenth the other way.
        assert point.values["median_h"] == pytest.approx(median / 3600, abs=0.051)
        assert point.values["p90_h"] == pytest.approx(p90 / 3600, abs=0.051)

    def expected_ids(point: str, series: str) -> set[int]:
        return expected[point][1]

    assert_drills(chart, filters, qms, expected_ids)


def test_percentiles_interpolate_between_the_nearest_times(db, qms):
    """1, 2, 3 and 10 hours: the median 2.5, the 90th percentile 3 + 0.7 × 7 = 7.9; paused time is not
    counted; a clock met by registration is no measurement."""
    for i, hours in enumerate([1, 2, 3, 10]):
        complaint = card(f"P-{i}", msk(2025, 6, 1 + i, 10))
        clock(complaint, ClockKind.FIRST_RESPONSE, met=(hours + 5) * HOUR, paused=5 * HOUR)
        clock(complaint, ClockKind.DECISION, met=timedelta(0), by_registration=True)
    only = card("P-9", msk(2025, 7, 1))
    clock(only, ClockKind.ANSWER, met=timedelta(hours=30))
    chart = compute("response_times", qms, PERIOD)
    assert [(p.key, p.values) for p in chart.points] == [
        ("first_response", {"median_h": 2.5, "p90_h": 7.9, "measured": 4}),
        ("answer", {"median_h": 30.0, "p90_h": 30.0, "measured": 1}),
    ]


def test_a_reopened_cards_two_clocks_are_measured_and_the_card_counted_once(db, qms):
    complaint = card("R-1", msk(2025, 6, 1, 10))
    clock(complaint, ClockKind.DECISION, met=2 * HOUR)
    clock(complaint, ClockKind.DECISION, started=msk(2025, 7, 1, 10), met=4 * HOUR)
    point, = compute("response_times", qms, PERIOD).points
    assert point.values == {"median_h": 3.0, "p90_h": 3.8, "measured": 1}
    assert CHARTS["response_times"].drill(qms, PERIOD, "decision", "measured").count() == 1


def on_time_by_kind(chosen: AnalyticsFilter, now: datetime) -> dict[str, tuple[set[int], set[int]]]:
    """{kind: (cards with a clock met on time, cards with one late)} among the clocks a person had to meet."""
    found: dict[str, tuple[set[int], set[int]]] = {}
    extra, params = dimension(chosen)
    rows = sql_rows(
        "SELECT cl.kind, cl.complaint_id, cl.met_at, cl.due_at, cl.paused_at "
        f"FROM deadlines_clock cl JOIN complaints_complaint c ON c.id = cl.complaint_id WHERE {COUNTED} {extra} "
        "AND c.received_at >= %s AND c.received_at < %s AND cl.stopped_at IS NULL AND cl.met_by_registration = %s",
        [*params, db_time(period_start(chosen)), db_time(period_end(chosen)), False],
    )
    for kind, card_id, met, due, paused in rows:
        on_time, late = found.setdefault(kind, (set(), set()))
        if met is not None:
            (on_time if moment(met) <= moment(due) else late).add(card_id)
        elif paused is None and moment(due) < now:
            late.add(card_id)
    return {kind: sets for kind, sets in found.items() if sets[0] or sets[1]}


def test_on_time_share_per_clock(clocks, filters, qms):  # noqa: F811
    chart = compute("on_time_share", qms, filters)
    expected = on_time_by_kind(filters, timezone.now())
    assert [p.key for p in chart.points] == [k for k in ClockKind.values if k in expected]
    assert all(all(expected[kind]) for kind in (ClockKind.FIRST_RESPONSE, ClockKind.DECISION))
    for point in chart.points:
        on_time, late = (len(cards) for cards in expected[point.key])
        assert point.values == {
            "on_time_pct": round(100 * on_time / (on_time + late), 1), "on_time": on_time, "late": late,
        }

    def expected_ids(point: str, series: str) -> set[int]:
        on_time, late = expected[point]
        return {"on_time": on_time, "late": late, "on_time_pct": on_time | late}[series]

    assert_drills(chart, filters, qms, expected_ids)


def test_what_the_on_time_share_leaves_out(db, qms):
    """Only the first card's clock (met late) and the second's (running past due) are judged."""
    late_met, overdue, quiet = card("S-1", msk(2025, 5, 1)), card("S-2", msk(2025, 5, 2)), card("S-3", msk(2025, 5, 3))
    clock(late_met, ClockKind.FIRST_RESPONSE, met=30 * HOUR)
    clock(overdue, ClockKind.FIRST_RESPONSE)
    clock(quiet, ClockKind.FIRST_RESPONSE, met=timedelta(0), by_registration=True)
    clock(quiet, ClockKind.DECISION, stopped=True)
    clock(quiet, ClockKind.DECISION, paused_now=True)
    clock(quiet, ClockKind.DECISION, due=FAR)
    point, = compute("on_time_share", qms, PERIOD).points
    assert (point.key, point.values) == ("first_response", {"on_time_pct": 0.0, "on_time": 0, "late": 2})
    assert compute("on_time_share", qms, PERIOD).note.startswith("Late: met after the due time")


@pytest.mark.parametrize("key", ["response_times", "on_time_share"])
@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gives_an_empty_chart(key, case, clocks, qms):
    chart = compute(key, qms, bad_input(case))
    assert chart.empty and chart.points == []
    assert not compute(key, qms, PERIOD).empty


@pytest.mark.parametrize(("key", "point", "series"), [
    ("response_times", "lunch", "measured"), ("response_times", "decision", "mean"),
    ("on_time_share", "resolution", "late"), ("on_time_share", "decision", "early"),
])
def test_drill_refuses_a_point_or_series_the_chart_does_not_have(key, point, series, qms):
    with pytest.raises(ValueError):
        CHARTS[key].drill(qms, PERIOD, point, series)
