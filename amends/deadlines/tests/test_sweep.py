from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from amends.accounts.roles import Role
from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import TimelineEvent
from amends.complaints.services import complaint_transition
from amends.deadlines import sweep
from amends.deadlines.choices import ClockKind, Level
from amends.deadlines.models import BusinessCalendar, Clock, DeadlinePolicy, EscalationStep, WorkingHours
from amends.deadlines.services import waiting_start
from amends.deadlines.sweep import deadlines_sweep
from amends.notifications.models import Notification

from .conftest import msk

WEDNESDAY = msk(2025, 3, 12, 10)


def deadline_events() -> list[tuple[int, str]]:
    return list(TimelineEvent.objects.filter(kind=EventKind.DEADLINE).values_list("complaint_id", "code"))


def notified() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("user__username", "kind"))


@pytest.fixture
def assigned(frozen, register, qms, responsible, manager):
    """An e-mail complaint received on Wednesday at 10:00 and assigned to `responsible`; its
    first-response and decision clocks are both due 24 h later."""
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL)
    return complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})


def test_each_step_fires_once_to_its_people_and_is_on_the_timeline(assigned):
    before_risk = deadlines_sweep(msk(2025, 3, 13, 3, 59))
    assert sum(before_risk.fired.values()) == 0 and deadline_events() == []

    at_risk = deadlines_sweep(msk(2025, 3, 13, 4))  # 75 % of 24 h
    # Two clocks of one card: one notice listing both.
    assert at_risk.fired == {"at_risk": 2, "breached": 0, "escalated": 0} and at_risk.notifications == 1
    assert notified() == {("responsible", "deadline_at_risk")}
    assert deadlines_sweep(msk(2025, 3, 13, 4)).notifications == 0  # a second sweep fires nothing

    deadlines_sweep(msk(2025, 3, 13, 10))
    assert notified() == {("responsible", "deadline_at_risk"), ("qms", "deadline_breached")}
    deadlines_sweep(msk(2025, 3, 14, 10))  # 200 %: breached again by the whole allowance
    deadlines_sweep(msk(2025, 3, 20, 10))
    assert notified() == {
        ("responsible", "deadline_at_risk"), ("qms", "deadline_breached"), ("manager", "deadline_escalated"),
    }
    assert sorted(code for _card, code in deadline_events()) == [
        "at_risk", "at_risk", "breached", "breached", "escalated", "escalated",
    ]
    assert Notification.objects.count() == 3
    event = TimelineEvent.objects.filter(kind=EventKind.DEADLINE, code="breached").first()
    # Written in the company's language (Russian by default): check the language-free parts.
    assert "13.03.2025 10:00" in event.text and "Qms" in event.text


@pytest.fixture
def english_company(settings):
    """The timeline is written in the company's language."""
    settings.LANGUAGE_CODE = "en"


def test_a_late_sweep_fires_only_the_highest_step_once_naming_the_passed_ones(assigned, english_company):
    result = deadlines_sweep(msk(2025, 3, 20, 10))
    assert result.fired == {"at_risk": 0, "breached": 0, "escalated": 2}
    assert set(Clock.objects.values_list("level", flat=True)) == {Level.ESCALATED}
    assert sorted(code for _card, code in deadline_events()) == ["escalated", "escalated"]
    entry = TimelineEvent.objects.filter(kind=EventKind.DEADLINE).first()
    assert "Passed before the first check, not announced apart: At risk, Breached." in entry.text
    with translation.override("ru"):  # a Russian reader of the entry the English company wrote
        assert "Пройдены до первой проверки" in entry.text_display
        assert "13.03.2025 10:00" in entry.text_display and "13 Mar 2025 10:00" in entry.text
    # Everyone the passed steps would have told hears once, of the step the clocks are at now.
    assert notified() == {
        ("responsible", "deadline_escalated"), ("qms", "deadline_escalated"), ("manager", "deadline_escalated"),
    }
    assert deadlines_sweep(msk(2025, 3, 21, 10)).notifications == 0


def test_a_clock_already_at_risk_skips_only_the_missed_step(assigned, english_company):
    deadlines_sweep(msk(2025, 3, 13, 4))
    deadlines_sweep(msk(2025, 3, 20, 10))
    entries = TimelineEvent.objects.filter(kind=EventKind.DEADLINE, code="escalated")
    assert [e.text.endswith("not announced apart: Breached.") for e in entries] == [True, True]
    assert notified() == {
        ("responsible", "deadline_at_risk"), ("qms", "deadline_escalated"), ("manager", "deadline_escalated"),
    }


def test_one_notice_per_person_and_step_lists_their_cards(frozen, register, qms, responsible, manager):
    frozen(WEDNESDAY)
    cards = [register(channel=Channel.EMAIL) for _ in range(3)]
    deadlines_sweep(msk(2025, 3, 20, 10))
    [notice] = Notification.objects.filter(user=manager)
    assert notice.complaint is None and notice.kind == "deadline_escalated"
    assert notice.card_numbers == " " + " ".join(sorted(c.number for c in cards)) + " "
    assert len(notice.context["cards"]) == 6  # two clocks a card
    from amends.notifications.rendering import render_notification

    notice.user.language = "en"
    rendered = render_notification(notice)
    assert rendered.subject == "Escalation: 6 deadlines long missed"
    assert all(f"/complaints/{c.number}/" in rendered.body for c in cards)
    assert "three quarters" not in rendered.body and "(already this late when first checked)" in rendered.body


def test_met_paused_and_unassigned_clocks(frozen, register, qms, assigned):
    complaint_transition(complaint=assigned, name="investigate", actor=assigned.responsible)
    waiting_start(complaint=assigned, actor=qms, reason="Ждём фото")
    unassigned = register(channel=Channel.EMAIL)
    Clock.objects.filter(complaint=unassigned, kind=ClockKind.FIRST_RESPONSE).update(met_at=WEDNESDAY)
    result = deadlines_sweep(msk(2025, 3, 13, 4))
    # The paused card is skipped; the unassigned card's at-risk notice goes to the QMS head.
    assert result.fired["at_risk"] == 1
    assert [e for e in deadline_events() if e[1] == "at_risk"] == [(unassigned.pk, "at_risk")]
    assert notified() == {("qms", "deadline_at_risk")}


def test_the_ladder_is_configurable(assigned):
    EscalationStep.objects.filter(level=Level.AT_RISK).update(notify_responsible=False, notify_managers=True)
    deadlines_sweep(msk(2025, 3, 13, 4))
    assert notified() == {("manager", "deadline_at_risk")}


def test_two_claims_of_the_same_step_fire_it_once(assigned):
    now, clocks = msk(2025, 3, 13, 4), list(Clock.objects.values_list("pk", flat=True))
    first, second = sweep._claim(Level.AT_RISK, 0, now, clocks), sweep._claim(Level.AT_RISK, 0, now, clocks)
    assert first == set(clocks) and len(first) == 2 and second == set()


def test_a_crash_mid_step_leaves_nothing_half_done_and_the_next_sweep_fires_it(assigned, monkeypatch):
    import amends.deadlines.sweep as sweep

    def broken(specs):
        raise ConnectionError("mail server gone")

    real = sweep.notify_many
    monkeypatch.setattr(sweep, "notify_many", broken)
    with pytest.raises(ConnectionError):
        deadlines_sweep(msk(2025, 3, 13, 4))
    assert set(Clock.objects.values_list("level", flat=True)) == {0}
    assert deadline_events() == [] and Notification.objects.count() == 0
    monkeypatch.setattr(sweep, "notify_many", real)
    assert deadlines_sweep(msk(2025, 3, 13, 4)).fired["at_risk"] == 2


def test_the_sweep_costs_the_same_queries_for_10_or_70_cards(frozen, register, make_user, qms, manager):
    frozen(WEDNESDAY)
    people = [make_user(f"resp{i}", Role.RESPONSIBLE) for i in range(3)]
    policy = DeadlinePolicy.objects.get(clock=ClockKind.FIRST_RESPONSE, channel=Channel.SOCIAL, importance="")

    def add_cards(count: int, start: int):
        for i in range(start, start + count):
            complaint = register(channel=[Channel.EMAIL, Channel.SOCIAL][i % 2])
            complaint_transition(
                complaint=complaint, name="assign", actor=qms, data={"responsible": people[i % 3]},
            )

    def queries_of_sweep(moment) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = deadlines_sweep(moment)
        assert sum(result.fired.values()) > 0
        return len(queries.captured_queries)

    assert policy.basis == "working"
    add_cards(10, 0)
    few = queries_of_sweep(msk(2025, 3, 20, 10))
    add_cards(60, 10)
    many = queries_of_sweep(msk(2025, 3, 27, 10))
    assert few == many <= 40


def test_a_backlog_fires_in_parts_each_kept_when_a_later_one_fails(frozen, register, qms, responsible,
                                                                    monkeypatch):
    frozen(WEDNESDAY)
    for _ in range(4):  # 8 clocks: each card's first response and decision
        complaint_transition(complaint=register(channel=Channel.EMAIL), name="assign", actor=qms,
                             data={"responsible": responsible})
    monkeypatch.setattr(sweep, "FIRE_BATCH", 3)
    real, calls = sweep.notify_many, []

    def fails_on_the_second_part(specs):
        calls.append(specs)
        if len(calls) == 2:
            raise ConnectionError("mail server gone")
        return real(specs)

    monkeypatch.setattr(sweep, "notify_many", fails_on_the_second_part)
    with pytest.raises(ConnectionError):
        deadlines_sweep(msk(2025, 3, 13, 4))
    # The first part (3 clocks, the earliest due) stays fired with its events and notice; the failed one is undone.
    assert sorted(Clock.objects.values_list("level", flat=True)) == [0] * 5 + [Level.AT_RISK] * 3
    assert len(deadline_events()) == 3 and Notification.objects.count() == 1
    monkeypatch.setattr(sweep, "notify_many", real)
    again = deadlines_sweep(msk(2025, 3, 13, 4))
    assert again.fired["at_risk"] == 5 and again.notifications == 2  # two more parts: 3 and 2 clocks
    assert set(Clock.objects.values_list("level", flat=True)) == {Level.AT_RISK}
    assert sorted(card for card, _code in deadline_events()) == sorted(Clock.objects.values_list("complaint_id",
                                                                                               flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_in_threads_fire_each_step_once(reference_data_restored, make_user, register, at_once):
    from amends.deadlines.defaults import load_defaults
    from amends.deadlines.policies import forget_policy_table

    load_defaults(BusinessCalendar, WorkingHours, DeadlinePolicy, EscalationStep)
    forget_policy_table()
    make_user("qms-head", Role.QMS_HEAD)
    assert Group.objects.filter(name=Role.QMS_HEAD).exists()
    for _ in range(20):
        register(channel=Channel.EMAIL, received_at=WEDNESDAY)
    moment = msk(2025, 3, 20, 10)
    results = at_once(lambda: deadlines_sweep(moment), 2)
    assert sum(r.fired["escalated"] for r in results) == 40
    assert TimelineEvent.objects.filter(kind=EventKind.DEADLINE).count() == 40
    # One notice per sweep that fired any: each clock listed once.
    notices = Notification.objects.filter(kind="deadline_escalated")
    assert sum(len(n.context["cards"]) for n in notices) == 40 and notices.count() <= 2
    assert Clock.objects.exclude(level=Level.ESCALATED).count() == 0


def test_received_late_is_at_once_at_risk(frozen, register):
    frozen(WEDNESDAY)
    complaint = register(channel=Channel.EMAIL, received_at=WEDNESDAY - timedelta(hours=20))
    assert deadlines_sweep().fired["at_risk"] == 2
    assert {card for card, _code in deadline_events()} == {complaint.pk}


def test_the_notification_reads_in_the_recipients_language(assigned):
    from amends.notifications.rendering import render_notification

    deadlines_sweep(msk(2025, 3, 13, 10))
    notifications = Notification.objects.select_related("user", "complaint").filter(kind="deadline_breached")
    subjects = set()
    for notification in notifications:
        notification.user.language = "en"
        rendered = render_notification(notification)
        subjects.add(rendered.subject)
        assert f"- {assigned.number}, First response: due" in rendered.body
    assert subjects == {"2 deadlines missed"}
