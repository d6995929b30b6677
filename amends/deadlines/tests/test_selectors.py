from datetime import timedelta

import pytest
from django.db import connection

from amends.complaints.choices import Channel, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_add_message, complaint_transition
from amends.deadlines.choices import ClockKind, ClockStatus
from amends.deadlines.selectors import annotate_nearest_due, card_clocks, filter_deadline_status, my_deadlines
from amends.deadlines.services import waiting_start

from .conftest import msk

WEDNESDAY = msk(2025, 3, 12, 10)
H = timedelta(hours=1)


def by_label(deadlines) -> dict:
    return {str(d.label): d for d in deadlines}


@pytest.fixture
def email_card(frozen, register):
    frozen(WEDNESDAY)
    return register(channel=Channel.EMAIL)


@pytest.mark.parametrize(("now", "status", "left"), [
    (msk(2025, 3, 12, 12), ClockStatus.ON_TRACK, 22 * H),
    (msk(2025, 3, 13, 4), ClockStatus.AT_RISK, 6 * H),
    (msk(2025, 3, 13, 13), ClockStatus.BREACHED, -3 * H),
])
def test_a_cards_clocks_with_time_left_and_status(email_card, now, status, left):
    deadlines = card_clocks(email_card, now)
    assert [str(d.label) for d in deadlines] == ["First response", "Decision"]
    for deadline in deadlines:
        assert (deadline.due_at, deadline.status, deadline.time_left) == (msk(2025, 3, 13, 10), status, left)


def test_working_time_left_skips_the_night(frozen, register):
    frozen(msk(2025, 3, 14, 17, 50))
    social = register(channel=Channel.SOCIAL)
    first = by_label(card_clocks(social, msk(2025, 3, 14, 17, 55)))["First response"]
    assert first.time_left == timedelta(minutes=55) and first.status == ClockStatus.ON_TRACK


def test_met_paused_and_stopped_clocks(email_card, qms, walk, frozen):
    frozen(msk(2025, 3, 12, 11))
    complaint_add_message(complaint=email_card, incoming=False, text="Получили.")
    waiting_start(complaint=email_card, actor=qms, reason="Ждём фото")
    later = msk(2025, 3, 14, 10)
    clocks = by_label(card_clocks(email_card, later))
    assert (clocks["First response"].status, clocks["First response"].time_left) == (ClockStatus.MET, None)
    # Paused: the time left is what was left when the wait began.
    assert (clocks["Decision"].status, clocks["Decision"].time_left) == (ClockStatus.PAUSED, 23 * H)
    walk(email_card, State.WITHDRAWN)
    assert by_label(card_clocks(email_card, later))["Decision"].status == ClockStatus.STOPPED


def test_a_measure_not_reported_by_its_due_day_is_breached(frozen, register, walk, executor):
    frozen(WEDNESDAY)
    complaint = walk(register(), State.IN_PROGRESS)  # one measure due in 7 days
    measure = complaint.measures.get()
    label = f"Measure: {measure.description}"
    assert by_label(card_clocks(complaint, msk(2025, 3, 19, 23)))[label].status == ClockStatus.AT_RISK
    breached = by_label(card_clocks(complaint, msk(2025, 3, 20, 0, 1)))[label]
    assert (breached.status, breached.due_at) == (ClockStatus.BREACHED, msk(2025, 3, 20))
    assert list(filter_deadline_status(Complaint.objects.all(), ClockStatus.BREACHED, msk(2025, 3, 20, 1))) == [
        complaint
    ]
    assert [d.measure for d in my_deadlines(executor, msk(2025, 3, 20, 1))] == [measure]


def test_the_list_sorts_and_filters_by_deadline(frozen, register):
    frozen(WEDNESDAY)
    email = register(channel=Channel.EMAIL)
    social = register(channel=Channel.SOCIAL)
    phone = register(channel=Channel.PHONE)
    cards = annotate_nearest_due(Complaint.objects.all()).order_by("nearest_due", "pk")
    assert [(c.pk, c.nearest_due) for c in cards] == [
        (social.pk, msk(2025, 3, 12, 11)), (email.pk, msk(2025, 3, 13, 10)), (phone.pk, msk(2025, 3, 13, 10)),
    ]
    at_risk = filter_deadline_status(Complaint.objects.all(), ClockStatus.AT_RISK, msk(2025, 3, 12, 10, 50))
    assert list(at_risk) == [social]
    breached = filter_deadline_status(Complaint.objects.all(), ClockStatus.BREACHED, msk(2025, 3, 13, 10))
    assert set(breached) == {email, social, phone}
    with pytest.raises(ValueError):
        filter_deadline_status(Complaint.objects.all(), ClockStatus.MET)


def test_my_deadlines_are_the_cards_i_am_responsible_for_nearest_first(frozen, register, qms, responsible):
    frozen(WEDNESDAY)
    email, social = register(channel=Channel.EMAIL), register(channel=Channel.SOCIAL)
    register(channel=Channel.EMAIL)  # nobody's yet
    for card in (email, social):
        complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    mine = my_deadlines(responsible, msk(2025, 3, 12, 10, 30))
    assert [(d.complaint.pk, d.clock.kind) for d in mine] == [
        (social.pk, ClockKind.FIRST_RESPONSE),
        (email.pk, ClockKind.FIRST_RESPONSE), (email.pk, ClockKind.DECISION), (social.pk, ClockKind.DECISION),
    ]
    assert my_deadlines(qms, msk(2025, 3, 12, 10, 30)) == []


def test_breached_lists_open_cards_only_naming_the_open_states(frozen, register):
    frozen(WEDNESDAY)
    email, phone = register(channel=Channel.EMAIL), register(channel=Channel.PHONE)
    Complaint.objects.filter(pk=phone.pk).update(state=State.CLOSED)  # its clocks left ticking
    breached = filter_deadline_status(Complaint.objects.all(), ClockStatus.BREACHED, msk(2025, 3, 13, 10))
    assert list(breached) == [email]
    # An IN the state index serves, not a NOT IN that PostgreSQL reads by scanning every card.
    assert "NOT" not in str(breached.query)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_breached_reads_the_open_cards_keys_from_their_own_index(frozen, register):
    frozen(WEDNESDAY)
    register(channel=Channel.EMAIL)
    breached = filter_deadline_status(Complaint.objects.all(), ClockStatus.BREACHED, msk(2025, 3, 13, 10))
    sql, params = breached.order_by().values("pk").query.sql_with_params()  # as the list counts them
    with connection.cursor() as cursor:
        # A table of a few rows is read whole; the plan of a large one is wanted.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The open cards' keys off their own index (read alone on a large table), where the state's index read
    # each open card's row; how, on a few rows, depends on the statistics the other tests left.
    assert "complaint_open" in plan, plan
