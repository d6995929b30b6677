from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from amends.complaints.choices import Channel, EventKind, Importance, State
from amends.complaints.models import TimelineEvent
from amends.complaints.services import complaint_update
from amends.core.errors import AccessDenied
from amends.deadlines.choices import Basis, ClockKind, Level
from amends.deadlines.models import BusinessCalendar, DeadlinePolicy, EscalationStep
from amends.deadlines.services import deadlines_recompute

from .conftest import clocks_of, msk

WEDNESDAY = msk(2025, 3, 12, 10)
FRIDAY_EVENING = msk(2025, 3, 14, 17, 30)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(("channel", "first_response"), [
    (Channel.EMAIL, msk(2025, 3, 13, 10)),
    (Channel.WEB_FORM, msk(2025, 3, 13, 10)),
    (Channel.LETTER, msk(2025, 3, 13, 10)),
    (Channel.FAX, msk(2025, 3, 13, 10)),
    (Channel.SOCIAL, msk(2025, 3, 12, 11)),
    (Channel.MESSENGER, msk(2025, 3, 12, 11)),
])
def test_default_clocks_of_written_channels(frozen, register, channel, first_response):
    frozen(WEDNESDAY)
    clocks = clocks_of(register(channel=channel))
    assert clocks[ClockKind.FIRST_RESPONSE].due_at == first_response
    assert clocks[ClockKind.FIRST_RESPONSE].met_at is None
    assert clocks[ClockKind.DECISION].due_at == msk(2025, 3, 13, 10)


def test_social_first_response_counts_working_time_and_the_decision_calendar_time(frozen, register):
    frozen(FRIDAY_EVENING)
    clocks = clocks_of(register(channel=Channel.SOCIAL))
    first = clocks[ClockKind.FIRST_RESPONSE]
    assert first.basis == Basis.WORKING
    # 30 minutes left on Friday, 30 more on Monday morning; 75 % of an hour = 45 minutes.
    assert first.due_at == msk(2025, 3, 17, 9, 30)
    assert first.at_risk_at == msk(2025, 3, 17, 9, 15)
    assert first.escalate_at == msk(2025, 3, 17, 10, 30)
    decision = clocks[ClockKind.DECISION]
    assert decision.basis == Basis.CALENDAR
    assert (decision.at_risk_at, decision.due_at, decision.escalate_at) == (
        msk(2025, 3, 15, 11, 30), msk(2025, 3, 15, 17, 30), msk(2025, 3, 16, 17, 30),
    )


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.IN_PERSON])
def test_an_oral_complaint_is_answered_by_registering_it(frozen, register, channel):
    frozen(WEDNESDAY)
    complaint = register(channel=channel)
    first = clocks_of(complaint)[ClockKind.FIRST_RESPONSE]
    assert first.met_at == complaint.created_at and first.met_at <= first.due_at


def test_an_internal_appeal_has_no_customer_to_answer_but_a_decision_to_take(frozen, register):
    frozen(WEDNESDAY)
    assert set(clocks_of(register(channel=Channel.INTERNAL))) == {ClockKind.DECISION}


def test_critical_importance_halves_the_allowances(frozen, register):
    frozen(WEDNESDAY)
    clocks = clocks_of(register(channel=Channel.EMAIL, importance=Importance.CRITICAL))
    assert clocks[ClockKind.FIRST_RESPONSE].due_at == msk(2025, 3, 12, 22)
    assert clocks[ClockKind.DECISION].due_at == msk(2025, 3, 12, 22)


@pytest.mark.parametrize(("importance", "allowance"), [(Importance.MEDIUM, 10 * DAY), (Importance.CRITICAL, 5 * DAY)])
def test_an_investigation_gives_the_decision_ten_days_and_the_timeline_says_so(
    frozen, register, qms, importance, allowance,
):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL, importance=importance)
    frozen(msk(2025, 3, 12, 15))
    complaint = complaint_update(complaint=complaint, actor=qms, changes={"needs_investigation": True})
    decision = clocks_of(complaint)[ClockKind.DECISION]
    assert decision.allowance == allowance
    assert decision.due_at == WEDNESDAY + allowance  # still counted from receipt
    event = TimelineEvent.objects.get(complaint=complaint, kind=EventKind.DEADLINE)
    assert event.code == "retimed" and "Decision: due" in event.text


def test_the_most_specific_policy_wins_and_key_accounts_can_have_their_own(frozen, register, contact):
    frozen(WEDNESDAY)
    DeadlinePolicy.objects.create(
        clock=ClockKind.FIRST_RESPONSE, channel=Channel.EMAIL, key_accounts_only=True, allowance=2 * HOUR,
    )
    DeadlinePolicy.objects.create(clock=ClockKind.FIRST_RESPONSE, key_accounts_only=True, allowance=4 * HOUR)
    ordinary = register(channel=Channel.EMAIL)
    contact.organisation.is_key_account = True
    contact.organisation.save()
    key_email, key_letter = register(channel=Channel.EMAIL), register(channel=Channel.LETTER)
    assert clocks_of(ordinary)[ClockKind.FIRST_RESPONSE].allowance == 24 * HOUR
    assert clocks_of(key_email)[ClockKind.FIRST_RESPONSE].allowance == 2 * HOUR
    # The key-account row beats the channel row: equal in number of criteria, key account first.
    assert clocks_of(key_letter)[ClockKind.FIRST_RESPONSE].allowance == 4 * HOUR


@pytest.mark.parametrize("allowance", [timedelta(0), timedelta(minutes=-5)])
def test_a_zero_or_negative_allowance_is_refused(db, allowance):
    policy = DeadlinePolicy(clock=ClockKind.DECISION, channel=Channel.FAX, allowance=allowance)
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert refused.value.message_dict == {"allowance": ["The allowance must be longer than zero."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_working_time_needs_a_calendar(russia):
    policy = DeadlinePolicy(clock=ClockKind.DECISION, channel=Channel.FAX, allowance=HOUR, basis=Basis.WORKING)
    with pytest.raises(ValidationError, match="choose one"):
        policy.full_clean()
    policy.calendar = russia
    policy.full_clean()


def test_a_calendar_needs_a_known_country_and_time_zone(db):
    with pytest.raises(ValidationError) as refused:
        BusinessCalendar(name="Nowhere", country="XX", time_zone="Mars/Olympus").full_clean()
    assert refused.value.message_dict == {
        "country": ["Public holidays are not known for the country “XX”."],
        "time_zone": ["“Mars/Olympus” is not a time zone, e.g. Europe/Moscow."],
    }


@pytest.mark.parametrize(("level", "percent"), [(Level.AT_RISK, 100), (Level.BREACHED, 90), (Level.ESCALATED, 100)])
def test_the_ladder_keeps_its_steps_in_order(db, level, percent):
    step = EscalationStep.objects.get(level=level)
    step.percent = percent
    with pytest.raises(ValidationError):
        step.full_clean()


def test_changing_a_policy_rewrites_no_running_clock_until_an_administrator_recomputes(
    frozen, register, administrator, walk,
):
    frozen(WEDNESDAY)
    before = register(channel=Channel.EMAIL)
    closed = walk(register(channel=Channel.EMAIL), State.WITHDRAWN)
    policy = DeadlinePolicy.objects.get(clock=ClockKind.DECISION, importance="", investigation_only=False)
    policy.allowance = 2 * DAY
    policy.save()
    after = register(channel=Channel.EMAIL)
    assert clocks_of(before)[ClockKind.DECISION].due_at == msk(2025, 3, 13, 10)
    assert clocks_of(after)[ClockKind.DECISION].due_at == msk(2025, 3, 14, 10)

    assert deadlines_recompute([before, after, closed], administrator) == 2
    assert clocks_of(before)[ClockKind.DECISION].due_at == msk(2025, 3, 14, 10)
    events = TimelineEvent.objects.filter(kind=EventKind.DEADLINE, code="recomputed")
    assert {e.complaint_id for e in events} == {before.pk, after.pk}
    assert "Decision: due 13 Mar 2025 10:00 → 14 Mar 2025 10:00" in events.get(complaint=before).text
    assert "No deadline changed." in events.get(complaint=after).text


def test_only_an_administrator_recomputes(register, qms):
    with pytest.raises(AccessDenied):
        deadlines_recompute([register()], qms)
