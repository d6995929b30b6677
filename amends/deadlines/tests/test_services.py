from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from amends.complaints.choices import Channel, EventKind, Justification, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_add_message, complaint_log_call, complaint_transition, complaint_update
from amends.complaints.signals import answer_delivered
from amends.core.errors import AccessDenied
from amends.deadlines.choices import ClockKind, Preset
from amends.deadlines.models import Clock
from amends.deadlines.services import (
    card_preset_choose,
    clock_extend,
    clocks_start,
    is_waiting,
    waiting_end,
    waiting_start,
)

from .conftest import clocks_of, msk

WEDNESDAY = msk(2025, 3, 12, 10)
DAY = timedelta(days=1)


def deadline_events(complaint) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(complaint=complaint, kind=EventKind.DEADLINE))


def test_a_message_to_the_customer_meets_the_first_response(frozen, register):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL)
    frozen(msk(2025, 3, 12, 11))
    complaint_add_message(complaint=complaint, incoming=False, text="Разбираемся, ответим завтра.")
    clocks = clocks_of(complaint)
    assert clocks[ClockKind.FIRST_RESPONSE].met_at == msk(2025, 3, 12, 11)
    assert clocks[ClockKind.DECISION].met_at is None


def test_a_logged_call_back_meets_the_first_response(frozen, register, operator):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.MESSENGER)
    frozen(msk(2025, 3, 12, 10, 40))
    complaint_log_call(complaint=complaint, actor=operator, text="Перезвонили, извинились.")
    assert clocks_of(complaint)[ClockKind.FIRST_RESPONSE].met_at == msk(2025, 3, 12, 10, 40)


@pytest.mark.parametrize("user", ["manager", "executor"])
def test_a_call_logged_by_someone_who_does_not_talk_to_the_customer_meets_nothing(request, register, user):
    """A manager's logged call met the first-response clock: the card looked answered, unanswered."""
    complaint = register(channel=Channel.MESSENGER)
    with pytest.raises(AccessDenied):
        complaint_log_call(complaint=complaint, actor=request.getfixturevalue(user), text="Позвонил.")
    assert clocks_of(complaint)[ClockKind.FIRST_RESPONSE].met_at is None


def test_a_message_from_the_customer_meets_nothing(register):
    complaint = register(channel=Channel.EMAIL)
    complaint_add_message(complaint=complaint, incoming=True, text="Когда ответите?")
    assert all(clock.met_at is None for clock in clocks_of(complaint).values())


def test_the_decision_meets_the_decision_clock(frozen, register, walk):
    frozen(WEDNESDAY)
    complaint = walk(register(channel=Channel.EMAIL), State.DECIDED)
    clocks = clocks_of(complaint)
    assert clocks[ClockKind.DECISION].met_at == WEDNESDAY
    assert clocks[ClockKind.FIRST_RESPONSE].met_at is None


def test_an_answer_recorded_on_the_card_meets_its_clocks_at_once(frozen, register, walk):
    """An oral answer recorded through the generic step: it was given as it was written down."""
    frozen(WEDNESDAY)
    complaint = walk(register(channel=Channel.PHONE), State.ANSWERED, justification=Justification.UNJUSTIFIED)
    assert clocks_of(complaint)[ClockKind.FIRST_RESPONSE].met_at == WEDNESDAY


def test_a_written_answer_meets_its_clocks_when_it_leaves_not_when_recorded(frozen, register, walk, responsible):
    frozen(WEDNESDAY)
    complaint = walk(register(channel=Channel.EMAIL), State.DECIDED, justification=Justification.UNJUSTIFIED)
    complaint = complaint_transition(
        complaint=complaint, name="answer", actor=responsible, data={"answer_text": "Ответ письмом."},
        awaits_delivery=True,
    )
    assert clocks_of(complaint)[ClockKind.FIRST_RESPONSE].met_at is None
    left = WEDNESDAY + DAY
    answer_delivered.send(sender=Complaint, complaint=complaint, event=None, at=left, final=True)
    assert clocks_of(complaint)[ClockKind.FIRST_RESPONSE].met_at == left


def test_a_holding_reply_that_left_meets_the_first_response_only(register, walk):
    complaint = walk(register(channel=Channel.EMAIL), State.INVESTIGATING)
    left = complaint.received_at + DAY
    answer_delivered.send(sender=Complaint, complaint=complaint, event=None, at=left, final=False)
    clocks = clocks_of(complaint)
    assert clocks[ClockKind.FIRST_RESPONSE].met_at == left and clocks[ClockKind.DECISION].met_at is None
    answer_delivered.send(sender=Complaint, complaint=complaint, event=None, at=left + DAY, final=True)
    assert clocks_of(complaint)[ClockKind.DECISION].met_at == left + DAY


@pytest.mark.parametrize("final", [State.WITHDRAWN, State.DUPLICATE])
def test_a_final_state_stops_every_running_clock(frozen, register, walk, final):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL)
    complaint_add_message(complaint=complaint, incoming=False, text="Получили, разбираемся.")
    frozen(msk(2025, 3, 12, 12))
    complaint = walk(complaint, final)
    clocks = clocks_of(complaint)
    assert clocks[ClockKind.FIRST_RESPONSE].stopped_at is None  # met before: stays met
    assert clocks[ClockKind.DECISION].stopped_at == msk(2025, 3, 12, 12)


def test_no_clock_starts_on_a_card_in_a_final_state(register, walk):
    complaint = walk(register(), State.WITHDRAWN)
    with pytest.raises(ValidationError) as refused:
        clocks_start(complaint=complaint)
    assert refused.value.messages == [f"Complaint {complaint.number} is withdrawn: its deadlines no longer run."]


def test_a_reopened_card_gets_a_new_decision_clock(frozen, register, walk, qms):
    frozen(WEDNESDAY)
    complaint = walk(register(channel=Channel.EMAIL), State.CLOSED, justification=Justification.UNJUSTIFIED)
    frozen(msk(2025, 3, 20, 10))
    complaint_transition(complaint=complaint, name="reopen", actor=qms, comment="Клиент не согласен.")
    running = Clock.objects.get(complaint=complaint, kind=ClockKind.DECISION, met_at__isnull=True)
    assert (running.started_at, running.due_at) == (msk(2025, 3, 20, 10), msk(2025, 3, 21, 10))


def test_waiting_for_the_customer_pauses_and_resuming_moves_each_clock_in_its_basis(
    frozen, register, qms,
):
    frozen(msk(2025, 3, 14, 17, 30))  # Friday
    complaint = register(channel=Channel.SOCIAL)
    frozen(msk(2025, 3, 14, 17, 45))
    waiting_start(complaint=complaint, actor=qms, reason="Ждём фото дефекта")
    assert is_waiting(complaint)
    assert all(c.paused_at == msk(2025, 3, 14, 17, 45) for c in clocks_of(complaint).values())
    frozen(msk(2025, 3, 17, 10))  # Monday
    waiting_end(complaint=complaint, actor=qms)
    assert not is_waiting(complaint)
    first, decision = (clocks_of(complaint)[kind] for kind in (ClockKind.FIRST_RESPONSE, ClockKind.DECISION))
    # Working time: 15 minutes on Friday and 60 on Monday were paused; 45 of the hour were left.
    assert first.paused_at is None and first.paused_total == timedelta(minutes=75)
    assert (first.at_risk_at, first.due_at, first.escalate_at) == (
        msk(2025, 3, 17, 10, 30), msk(2025, 3, 17, 10, 45), msk(2025, 3, 17, 11, 45),
    )
    # Calendar time: 23 h 45 min were left when the wait began.
    assert decision.paused_total == timedelta(days=2, hours=16, minutes=15)
    assert decision.due_at == msk(2025, 3, 18, 9, 45)
    waiting, resumed = deadline_events(complaint)
    assert waiting.code == "waiting" and "Ждём фото дефекта" in waiting.text
    assert resumed.code == "resumed" and "Ждём фото дефекта" in resumed.text


def test_the_customers_reply_ends_the_wait(frozen, register, qms):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL)
    waiting_start(complaint=complaint, actor=qms, reason="Ждём номер заказа")
    frozen(msk(2025, 3, 12, 12))
    complaint_add_message(complaint=complaint, incoming=True, text="Номер заказа 12345")
    assert not is_waiting(complaint)
    assert clocks_of(complaint)[ClockKind.DECISION].due_at == msk(2025, 3, 13, 12)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_pause_needs_a_reason(register, qms, reason):
    complaint = register()
    with pytest.raises(ValidationError) as refused:
        waiting_start(complaint=complaint, actor=qms, reason=reason)
    assert refused.value.message_dict == {"reason": ["Say what the card is waiting for from the customer."]}
    assert not is_waiting(complaint)


def test_a_card_waits_once_at_a_time_and_never_when_final(register, qms, walk):
    complaint = register()
    waiting_start(complaint=complaint, actor=qms, reason="Ждём фото")
    with pytest.raises(ValidationError, match="already waiting"):
        waiting_start(complaint=complaint, actor=qms, reason="Ждём фото")
    closed = walk(register(), State.WITHDRAWN)
    with pytest.raises(ValidationError, match="no longer run"):
        waiting_start(complaint=closed, actor=qms, reason="Ждём фото")


def test_a_withdrawn_card_stops_waiting(register, qms, walk):
    complaint = register()
    waiting_start(complaint=complaint, actor=qms, reason="Ждём фото")
    assert not is_waiting(walk(complaint, State.WITHDRAWN))


def test_only_those_who_edit_the_card_pause_it(register, executor):
    with pytest.raises(AccessDenied):
        waiting_start(complaint=register(), actor=executor, reason="Ждём фото")


def test_a_consumer_claim_runs_from_the_demand_instead_of_the_decision_clock(frozen, register, walk, qms):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL)
    complaint = complaint_update(complaint=complaint, actor=qms, changes={"demand_presented_at": msk(2025, 3, 10, 15)})
    card_preset_choose(complaint=complaint, actor=qms, preset=Preset.CONSUMER_REFUND)
    clocks = clocks_of(complaint)
    assert clocks[ClockKind.DECISION].stopped_at == WEDNESDAY
    assert (clocks[ClockKind.ANSWER].started_at, clocks[ClockKind.ANSWER].due_at) == (
        msk(2025, 3, 10, 15), msk(2025, 3, 20, 15),
    )
    assert "refund" in deadline_events(complaint)[-1].text
    frozen(msk(2025, 3, 18, 10))
    walk(complaint, State.ANSWERED)
    assert clocks_of(complaint)[ClockKind.ANSWER].met_at == msk(2025, 3, 18, 10)


@pytest.mark.parametrize(("preset", "days"), [
    (Preset.CONSUMER_REPLACEMENT, 7), (Preset.CONSUMER_REPLACEMENT_CHECK, 20), (Preset.CONSUMER_REPAIR, 45),
])
def test_consumer_law_terms(frozen, register, qms, preset, days):
    frozen(WEDNESDAY)
    complaint = register()
    card_preset_choose(complaint=complaint, actor=qms, preset=preset)
    assert clocks_of(complaint)[ClockKind.ANSWER].due_at == WEDNESDAY + days * DAY


def test_a_citizens_appeal_is_registered_in_3_days_answered_in_30_and_extended_once(
    frozen, register, qms,
):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.LETTER)
    complaint = complaint_update(complaint=complaint, actor=qms, changes={"demand_presented_at": msk(2025, 3, 8, 10)})
    card_preset_choose(complaint=complaint, actor=qms, preset=Preset.CITIZENS_APPEAL)
    clocks = clocks_of(complaint)
    registration, answer = clocks[ClockKind.REGISTRATION], clocks[ClockKind.ANSWER]
    assert registration.due_at == msk(2025, 3, 11, 10)
    assert registration.met_at == complaint.created_at  # registered a day late
    assert answer.due_at == msk(2025, 4, 7, 10)

    with pytest.raises(ValidationError, match="reason"):
        clock_extend(clock=answer, actor=qms, reason=" ")
    clock_extend(clock=answer, actor=qms, reason="Запрошены документы в другом органе")
    answer.refresh_from_db()
    assert answer.due_at == msk(2025, 5, 7, 10)
    assert "Запрошены документы" in deadline_events(complaint)[-1].text
    with pytest.raises(ValidationError, match="already extended once"):
        clock_extend(clock=answer, actor=qms, reason="Ещё раз")
    with pytest.raises(ValidationError, match="cannot be extended"):
        clock_extend(clock=clocks[ClockKind.FIRST_RESPONSE], actor=qms, reason="Нужно время")


def test_a_card_takes_one_known_preset(register, qms):
    complaint = register()
    with pytest.raises(ValidationError, match="Choose one"):
        card_preset_choose(complaint=complaint, actor=qms, preset="warranty")
    card_preset_choose(complaint=complaint, actor=qms, preset=Preset.CONSUMER_REPAIR)
    with pytest.raises(ValidationError, match="already follows"):
        card_preset_choose(complaint=complaint, actor=qms, preset=Preset.CONSUMER_REFUND)


def test_starting_the_clocks_is_one_insert_once_the_policies_are_read(complaint, django_assert_num_queries):
    clocks_start(complaint=complaint)  # reads the policy table, once per process
    with django_assert_num_queries(1):
        clocks_start(complaint=complaint)


def test_an_unmarked_duplicate_runs_again_the_clocks_its_marking_stopped(frozen, register, walk, qms):
    """Its customer waited all along: the clocks go on as they were, the days set aside included;
    clocks stopped by an earlier closing stay stopped."""
    frozen(WEDNESDAY)
    complaint = walk(register(channel=Channel.EMAIL), State.CLOSED, justification=Justification.UNJUSTIFIED)
    closed_stopped = set(
        Clock.objects.filter(complaint=complaint, stopped_at__isnull=False).values_list("pk", flat=True)
    )
    frozen(msk(2025, 3, 13, 10))
    complaint_transition(complaint=complaint, name="reopen", actor=qms, comment="Клиент не согласен.")
    reopened = Clock.objects.get(complaint=complaint, kind=ClockKind.DECISION, met_at__isnull=True)
    original = register(channel=Channel.EMAIL, wording="Оригинал")
    frozen(msk(2025, 3, 13, 12))
    complaint_transition(complaint=complaint, name="mark_duplicate", actor=qms,
                         data={"original_number": original.number})
    assert Clock.objects.get(pk=reopened.pk).stopped_at == msk(2025, 3, 13, 12)
    frozen(msk(2025, 3, 14, 9))
    complaint_transition(complaint=complaint, name="unmark_duplicate", actor=qms, comment="Другой заказ.")
    resumed = Clock.objects.get(pk=reopened.pk)
    assert (resumed.stopped_at, resumed.due_at) == (None, reopened.due_at)
    assert all(clock.stopped_at is not None for clock in Clock.objects.filter(pk__in=closed_stopped))
