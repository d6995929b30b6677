"""The monthly review pack's figures against independent SQL, on cards of October 2026, the month
before, the same month a year before and older; with duplicates, withdrawn cards, objections, other
requests, the edges of the month, paused, stopped and registration-met clocks and measures."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from amends.accounts.models import Department
from amends.analytics.monthly import (
    DONE,
    NO_CAUSE,
    OPEN,
    OVERDUE,
    cause_cards,
    closed_in,
    last_whole_month,
    month_figures,
    monthly_pack,
    open_at_end,
    overdue_at_end,
    parse_month,
    received_in,
)
from amends.analytics.reviews import decision_add, decision_update
from amends.capa.models import Action
from amends.capa.nonconformities import nonconformity_open
from amends.complaints.choices import Channel, Justification, RequestType, State
from amends.complaints.models import Cause, Complaint, Measure
from amends.complaints.services import complaint_register
from amends.deadlines.models import Clock

MSK = ZoneInfo("Europe/Moscow")
OCTOBER = date(2026, 10, 1)
START, END = datetime(2026, 10, 1, tzinfo=MSK), datetime(2026, 11, 1, tzinfo=MSK)
NOW = datetime(2026, 11, 5, 12, tzinfo=MSK)


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _no_automatic_duplicate_links(settings):
    settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS = 0


@dataclass
class World:
    cards: dict[str, Complaint]
    causes: dict[str, Cause]


@pytest.fixture
def world(operator, contact) -> World:
    causes = {name: Cause.objects.create(name=f"Причина {name}", name_en=f"Cause {name}") for name in "ABCD"}
    cards: dict[str, Complaint] = {}

    def card(name: str, received_at: datetime, *, justification: str = Justification.JUSTIFIED, cause: str = "",
             state: str = State.INVESTIGATING, closed_at: datetime | None = None, **fields) -> Complaint:
        made = complaint_register(actor=operator, channel=Channel.EMAIL, contact=contact, wording=f"Карточка {name}")
        Clock.objects.filter(complaint=made).delete()  # each card gets the clocks the test gives it
        Complaint.objects.filter(pk=made.pk).update(
            received_at=received_at, justification=justification, cause=causes[cause] if cause else None,
            state=State.CLOSED if closed_at else state, closed_at=closed_at, **fields,
        )
        cards[name] = Complaint.objects.get(pk=made.pk)
        return cards[name]

    def clock(name: str, due_at: datetime, **fields) -> Clock:
        return Clock.objects.create(
            complaint=cards[name], kind="decision", allowance=timedelta(days=1), basis="calendar",
            started_at=cards[name].received_at, at_risk_at=due_at, due_at=due_at, escalate_at=due_at, **fields,
        )

    def measure(name: str, due_date: date, **fields) -> None:
        made = Measure.objects.create(complaint=cards[name], description="Заменить", executor=operator,
                                      due_date=due_date, **fields)
        Measure.objects.filter(pk=made.pk).update(created_at=cards[name].received_at)

    # October 2026, counted.
    card("a1", msk(2026, 10, 1), cause="A", closed_at=msk(2026, 10, 20))  # the first moment of the month
    clock("a1", msk(2026, 10, 2), met_at=msk(2026, 10, 1, 12))  # on time
    card("a2", msk(2026, 10, 5), cause="A")
    clock("a2", msk(2026, 10, 6), met_at=msk(2026, 10, 7))  # late
    measure("a2", date(2026, 10, 10))  # never reported: overdue at the month's end
    card("a3", msk(2026, 10, 10), justification=Justification.PARTLY, cause="B")
    clock("a3", msk(2026, 10, 11))  # not met: late, and overdue at the month's end
    card("a4", msk(2026, 10, 12), justification=Justification.UNJUSTIFIED, cause="B", closed_at=msk(2026, 11, 2))
    clock("a4", msk(2026, 10, 13), met_at=msk(2026, 10, 12), met_by_registration=True)  # nobody had to meet it
    card("a5", msk(2026, 10, 15), justification="")
    clock("a5", msk(2026, 10, 16), paused_at=msk(2026, 10, 15, 12))  # waits for the customer
    card("a6", msk(2026, 10, 20), cause="C", department_concerned=Department.objects.create(name="Склад"))
    clock("a6", msk(2026, 10, 22), stopped_at=msk(2026, 10, 21))
    card("a7", msk(2026, 10, 31, 23, 30), cause="A", request_type=RequestType.CLAIM)  # the month's last minutes
    clock("a7", msk(2026, 11, 1, 10))  # due after the month: late now, not overdue at its end
    card("a8", msk(2026, 10, 25), justification=Justification.PARTLY, cause="A")
    clock("a8", msk(2026, 10, 28), met_at=msk(2026, 11, 2))  # late, overdue at the month's end
    card("a9", msk(2026, 10, 26), cause="D")
    clock("a9", msk(2026, 11, 3), met_at=msk(2026, 11, 2))
    measure("a9", date(2026, 10, 31))  # due on the last day: due at the month's end, not overdue yet
    # October 2026, never counted.
    card("d1", msk(2026, 10, 6), cause="A", state=State.DUPLICATE)
    card("w1", msk(2026, 10, 7), cause="A", state=State.WITHDRAWN)
    card("o1", msk(2026, 10, 8), cause="A", request_type=RequestType.OBJECTION)
    card("o2", msk(2026, 10, 9), cause="A", request_type=RequestType.OTHER)
    # Just outside the month.
    card("x1", msk(2026, 9, 30, 23, 59), cause="A", closed_at=msk(2026, 10, 3))
    card("x2", msk(2026, 11, 1), cause="A")
    # September 2026.
    card("p1", msk(2026, 9, 10), cause="B")
    clock("p1", msk(2026, 9, 12), met_at=msk(2026, 9, 11))
    card("p2", msk(2026, 9, 15), justification=Justification.UNJUSTIFIED, closed_at=msk(2026, 9, 20))
    card("p3", msk(2026, 9, 20), closed_at=msk(2026, 10, 25))
    card("p4", msk(2026, 9, 2), cause="A")
    clock("p4", msk(2026, 9, 5))
    # October 2025 and older.
    card("y1", msk(2025, 10, 3), closed_at=msk(2025, 12, 1))
    card("y2", msk(2025, 10, 4), justification=Justification.UNJUSTIFIED, closed_at=msk(2025, 10, 20))
    card("y3", msk(2025, 10, 5), justification=Justification.PARTLY)
    card("y4", msk(2025, 10, 6), state=State.DUPLICATE)
    card("z1", msk(2025, 5, 1))
    card("z2", msk(2024, 5, 1), closed_at=msk(2024, 6, 1))
    return World(cards, causes)


# --- the independent SQL --------------------------------------------------------------------------------

COUNTED = "c.request_type IN ('complaint', 'claim') AND c.state NOT IN ('duplicate', 'withdrawn')"


def moment(value: datetime):
    """A datetime as the database compares it (SQLite keeps UTC text, PostgreSQL a timestamp)."""
    return connection.ops.adapt_datetimefield_value(value)


def sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def sql_by_justification(start: datetime, end: datetime) -> dict[str, int]:
    return dict(sql(
        f"SELECT c.justification, COUNT(*) FROM complaints_complaint c WHERE {COUNTED}"
        " AND c.received_at >= %s AND c.received_at < %s GROUP BY c.justification",
        [moment(start), moment(end)],
    ))


def sql_closed(start: datetime, end: datetime) -> int:
    return sql(
        f"SELECT COUNT(*) FROM complaints_complaint c WHERE {COUNTED} AND c.closed_at >= %s AND c.closed_at < %s",
        [moment(start), moment(end)],
    )[0][0]


OPEN_AT_END = f"{COUNTED} AND c.received_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s)"


def sql_open_at_end(end: datetime) -> set[str]:
    return {row[0] for row in sql(f"SELECT c.number FROM complaints_complaint c WHERE {OPEN_AT_END}",
                                  [moment(end), moment(end)])}


def sql_overdue_at_end(end: datetime, last_day: date) -> set[str]:
    return {row[0] for row in sql(
        f"SELECT c.number FROM complaints_complaint c WHERE {OPEN_AT_END} AND ("
        " EXISTS (SELECT 1 FROM deadlines_clock k WHERE k.complaint_id = c.id AND k.met_by_registration = %s"
        "  AND k.due_at < %s AND (k.met_at IS NULL OR k.met_at >= %s) AND (k.stopped_at IS NULL OR k.stopped_at >= %s)"
        "  AND (k.paused_at IS NULL OR k.paused_at >= %s))"
        " OR EXISTS (SELECT 1 FROM complaints_measure m WHERE m.complaint_id = c.id AND m.due_date < %s"
        "  AND (m.done_at IS NULL OR m.done_at >= %s) AND m.created_at < %s))",
        [moment(end), moment(end), False, *[moment(end)] * 4, last_day, moment(end), moment(end)],
    )}


def sql_on_time(start: datetime, end: datetime, now: datetime) -> tuple[int, int]:
    on_time, late = sql(
        "SELECT SUM(CASE WHEN k.met_at IS NOT NULL AND k.met_at <= k.due_at THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN k.met_at > k.due_at OR (k.met_at IS NULL AND k.paused_at IS NULL AND k.due_at < %s)"
        "  THEN 1 ELSE 0 END)"
        f" FROM deadlines_clock k JOIN complaints_complaint c ON c.id = k.complaint_id WHERE {COUNTED}"
        " AND c.received_at >= %s AND c.received_at < %s AND k.met_by_registration = %s AND k.stopped_at IS NULL",
        [moment(now), moment(start), moment(end), False],
    )[0]
    return on_time or 0, late or 0


def sql_causes(start: datetime, end: datetime) -> dict[int | None, int]:
    return dict(sql(
        f"SELECT c.cause_id, COUNT(*) FROM complaints_complaint c WHERE {COUNTED}"
        " AND c.received_at >= %s AND c.received_at < %s GROUP BY c.cause_id",
        [moment(start), moment(end)],
    ))


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


# --- the tests ------------------------------------------------------------------------------------------

MONTHS = [
    (OCTOBER, START, END, date(2026, 10, 31)),
    (date(2026, 9, 1), msk(2026, 9, 1), START, date(2026, 9, 30)),
    (date(2025, 10, 1), msk(2025, 10, 1), msk(2025, 11, 1), date(2025, 10, 31)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("month", "start", "end", "last_day"), MONTHS)
def test_month_figures_match_independent_sql(world, qms, month, start, end, last_day):
    figures = month_figures(qms, month, NOW)
    by_justification = sql_by_justification(start, end)
    assert figures.received == sum(by_justification.values())
    assert figures.justified == by_justification.get("justified", 0)
    assert figures.partly == by_justification.get("partly", 0)
    assert figures.unjustified == by_justification.get("unjustified", 0)
    assert figures.undecided == by_justification.get("", 0)
    assert (figures.on_time, figures.late) == sql_on_time(start, end, NOW)
    assert figures.closed == sql_closed(start, end) == closed_in(qms, month).count()
    assert numbers(open_at_end(qms, month)) == sql_open_at_end(end)
    assert figures.open_at_end == len(sql_open_at_end(end))
    assert numbers(overdue_at_end(qms, month)) == sql_overdue_at_end(end, last_day)
    assert figures.overdue_at_end == len(sql_overdue_at_end(end, last_day))


@pytest.mark.django_db
def test_october_counts_what_the_fixture_says(world, qms):
    """The SQL above is checked against the counts worked out by hand, so neither can drift."""
    c = world.cards
    figures = month_figures(qms, OCTOBER, NOW)
    by_justification = (figures.justified, figures.partly, figures.unjustified, figures.undecided)
    assert (figures.received, *by_justification) == (9, 5, 2, 1, 1)
    assert (figures.on_time, figures.late, figures.on_time_pct) == (2, 4, 33.3)
    assert numbers(closed_in(qms, OCTOBER)) == {c["a1"].number, c["x1"].number, c["p3"].number}
    assert numbers(open_at_end(qms, OCTOBER)) == {
        c[name].number for name in ("a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "p1", "p4", "y3", "z1")
    }
    assert numbers(overdue_at_end(qms, OCTOBER)) == {c[name].number for name in ("a2", "a3", "a8", "p4")}
    assert not numbers(received_in(qms, OCTOBER)) & {c[name].number for name in ("d1", "w1", "o1", "o2", "x1", "x2")}


@pytest.mark.django_db
def test_the_pack_compares_with_the_month_before_and_a_year_before(world, qms):
    pack = monthly_pack(qms, OCTOBER, NOW)
    rows = {row.key: row for row in pack.figures}
    september, year_ago = month_figures(qms, date(2026, 9, 1), NOW), month_figures(qms, date(2025, 10, 1), NOW)
    assert (rows["received"].current, rows["received"].previous, rows["received"].year_ago) == (
        9, september.received, year_ago.received,
    ) == (9, 5, 3)  # x1 is September's last minute; y4 a duplicate
    assert (rows["unjustified"].previous, rows["unjustified"].year_ago) == (1, 1)
    assert rows["on_time_pct"].previous == 50.0 and rows["on_time_pct"].year_ago is None  # no clock a year ago
    assert not pack.empty


@pytest.mark.django_db
def test_overdue_and_oldest_lists_are_the_counted_cards_oldest_first(world, qms):
    c = world.cards
    pack = monthly_pack(qms, OCTOBER, NOW)
    assert [line.complaint.number for line in pack.overdue] == [c[n].number for n in ("p4", "a2", "a3", "a8")]
    assert pack.overdue_total == 4
    assert [line.complaint.number for line in pack.oldest_open][:3] == [c[n].number for n in ("z1", "y3", "p4")]
    assert pack.oldest_open[0].age_days == (END - c["z1"].received_at).days


@pytest.mark.django_db
def test_top_causes_match_independent_sql_and_drill_to_their_cards(world, qms):
    pack = monthly_pack(qms, OCTOBER, NOW)
    expected = sql_causes(START, END)
    september = sql_causes(msk(2026, 9, 1), START)
    total = sum(expected.values())
    assert [(row.key, row.count) for row in pack.causes] == [
        (str(world.causes["A"].pk), 4), (str(world.causes["B"].pk), 2), (str(world.causes["C"].pk), 1),
        (str(world.causes["D"].pk), 1), (NO_CAUSE, 1),
    ]
    running = 0
    for row in pack.causes:
        pk = None if row.key == NO_CAUSE else int(row.key)
        running += expected[pk]
        assert row.count == expected[pk] == cause_cards(qms, OCTOBER, row.key).count()
        assert row.share_pct == round(100 * expected[pk] / total, 1)
        assert row.cumulative_pct == round(100 * running / total, 1)
        assert row.previous == september.get(pk, 0)
    assert pack.causes[-1].cumulative_pct == 100.0


@pytest.mark.django_db
def test_norms_and_open_actions_are_in_the_pack(world, qms, responsible):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    open_action = Action.objects.create(nonconformity=record, description="Входной контроль", owner=responsible,
                                        due_date=date(2026, 10, 20), check_on=date(2026, 12, 1))
    Action.objects.create(nonconformity=record, description="Сделано", owner=responsible, status="done",
                          due_date=date(2026, 10, 1), check_on=date(2026, 12, 1))
    pack = monthly_pack(qms, OCTOBER, NOW)
    assert pack.actions == [open_action]
    assert pack.overdue_actions == 1
    assert (pack.norms_period.start, pack.norms_period.end) == (date(2026, 1, 1), date(2026, 11, 1))
    assert [row.subject for row in pack.norms][:2] == ["manufacturer", "all_suppliers"]


@pytest.mark.django_db
def test_decisions_are_followed_up_the_next_month(world, qms, responsible):
    done = decision_add(actor=qms, month=date(2026, 9, 1), text="Позвонить поставщику", owner=responsible,
                        due_date=date(2026, 10, 15))
    late = decision_add(actor=qms, month=date(2026, 9, 1), text="Обучить операторов", owner=responsible,
                        due_date=date(2026, 10, 15))
    pending = decision_add(actor=qms, month=date(2026, 9, 1), text="Новый регламент", owner=responsible,
                           due_date=date(2026, 12, 1))
    older = decision_add(actor=qms, month=date(2026, 7, 1), text="Старое, открытое", owner=responsible,
                         due_date=date(2026, 8, 1))
    older_done = decision_add(actor=qms, month=date(2026, 7, 1), text="Старое, сделано", owner=responsible,
                              due_date=date(2026, 8, 1))
    decision_update(actor=qms, decision=done, follow_up="Позвонили", done=True)
    decision_update(actor=qms, decision=older_done, follow_up="", done=True)
    this_month = decision_add(actor=qms, month=OCTOBER, text="Проверить склад", owner=responsible,
                              due_date=date(2026, 11, 30))
    pack = monthly_pack(qms, OCTOBER, NOW)
    statuses = {line.decision.pk: line.status for line in pack.follow_up}
    assert statuses == {done.pk: DONE, late.pk: OVERDUE, pending.pk: OPEN, older.pk: OVERDUE}
    assert [line.decision for line in pack.decisions] == [this_month]
    assert pack.review is not None and pack.review.recorded_by == qms


def test_months_are_read_strictly_and_the_default_is_the_last_whole_one():
    assert parse_month("2026-11") == date(2026, 11, 1)
    for text in ("2026-13", "2026-1", "26-11", "november", ""):
        with pytest.raises(ValueError):
            parse_month(text)
    assert last_whole_month(date(2026, 1, 10)) == date(2025, 12, 1)


@pytest.mark.django_db
def test_a_month_with_no_data_is_empty(world, qms):
    pack = monthly_pack(qms, date(2020, 3, 1), NOW)
    assert pack.empty and pack.causes == [] and pack.overdue == [] and pack.oldest_open == []
