from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.accounts.roles import Role
from amends.capa import sweep
from amends.capa.choices import ActionStatus, RecordEventKind
from amends.capa.models import Action, Nonconformity, NonconformityEvent
from amends.capa.nonconformities import nonconformity_open
from amends.capa.sweep import capa_deadlines_sweep
from amends.deadlines.choices import Level
from amends.deadlines.models import EscalationStep
from amends.notifications.models import Notification
from amends.notifications.rendering import render_notification

from .deadline_fixtures import ANALYSIS_AT_RISK, ANALYSIS_BREACHED, ANALYSIS_ESCALATED, OPENED, msk, planned

pytestmark = pytest.mark.usefixtures("english")


def notified() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("user__username", "kind"))


def deadline_entries(record) -> list[str]:
    return [e.text_display for e in record.events.filter(kind=RecordEventKind.DEADLINE)]


def test_each_step_fires_once_to_its_people_with_an_entry_on_the_record(record_opened, qms, manager):
    record = record_opened()
    assert capa_deadlines_sweep(OPENED).fired == {"at_risk": 0, "breached": 0, "escalated": 0}
    assert capa_deadlines_sweep(ANALYSIS_AT_RISK).fired["at_risk"] == 1
    assert capa_deadlines_sweep(ANALYSIS_AT_RISK).fired["at_risk"] == 0
    assert notified() == {("responsible", "deadline_at_risk")}
    assert capa_deadlines_sweep(ANALYSIS_BREACHED).fired["breached"] == 1
    assert notified() == {("responsible", "deadline_at_risk"), ("qms", "deadline_breached")}
    assert capa_deadlines_sweep(ANALYSIS_ESCALATED).fired["escalated"] == 1
    assert ("manager", "deadline_escalated") in notified()
    assert capa_deadlines_sweep(ANALYSIS_ESCALATED).fired == {"at_risk": 0, "breached": 0, "escalated": 0}
    assert deadline_entries(record) == [
        "At risk: Root cause analysis, due 12 Mar 2026. Notified: Responsible.",
        "Breached: Root cause analysis, due 12 Mar 2026. Notified: Qms.",
        "Escalated to the head of the company: Root cause analysis, due 12 Mar 2026. Notified: Manager.",
    ]
    assert Nonconformity.objects.get(pk=record.pk).analysis_level == Level.ESCALATED


def test_a_late_sweep_fires_only_the_highest_step_naming_the_passed_ones(record_opened, qms, manager):
    record = record_opened()
    assert capa_deadlines_sweep(ANALYSIS_ESCALATED).fired == {"at_risk": 0, "breached": 0, "escalated": 1}
    assert deadline_entries(record) == [
        "Escalated to the head of the company: Root cause analysis, due 12 Mar 2026. Notified: Responsible, "
        "Qms, Manager. Passed before the first check, not announced apart: At risk, Breached.",
    ]
    # One notice each, of the step that fired.
    assert notified() == {("responsible", "deadline_escalated"), ("qms", "deadline_escalated"),
                          ("manager", "deadline_escalated")}


def test_an_actions_due_date_tells_the_actions_owner_and_its_check_the_records_owner(record_opened, executor, qms):
    record = record_opened()
    Nonconformity.objects.filter(pk=record.pk).update(analysis_due=None, plan_due=None)
    planned(record, executor, date(2026, 3, 5))  # created at the opening: at risk from 5 March 02:30
    capa_deadlines_sweep(msk(2026, 3, 5, 2))
    assert not notified()
    capa_deadlines_sweep(msk(2026, 3, 5, 2, 30))
    assert notified() == {("executor", "deadline_at_risk")}
    Notification.objects.all().delete()
    Action.objects.update(status=ActionStatus.DONE, done_at=msk(2026, 3, 5, 12))
    capa_deadlines_sweep(msk(2026, 9, 3))  # the check (1 September) is missed; at risk passed unannounced
    assert notified() == {("qms", "deadline_breached"), ("responsible", "deadline_breached")}


def test_a_record_without_an_owner_tells_the_qms_heads_at_risk(record_opened, qms):
    record_opened(owner=None)
    capa_deadlines_sweep(ANALYSIS_AT_RISK)
    assert notified() == {("qms", "deadline_at_risk")}


def test_met_deadlines_and_closed_records_fire_nothing(record_opened, responsible):
    from amends.capa.lifecycle import ANALYSE
    from amends.capa.nonconformities import nonconformity_step

    nonconformity_step(actor=responsible, nonconformity=record_opened(), step=ANALYSE)
    Nonconformity.objects.create(number="NC-2026-0999", title="Closed", state="closed", analysis_due=date(2026, 3, 3))
    assert capa_deadlines_sweep(ANALYSIS_ESCALATED).fired == {"at_risk": 0, "breached": 0, "escalated": 0}


def test_the_ladder_is_configurable(record_opened, manager):
    record_opened()
    EscalationStep.objects.filter(level=Level.AT_RISK).update(notify_responsible=False, notify_managers=True)
    capa_deadlines_sweep(ANALYSIS_AT_RISK)
    assert notified() == {("manager", "deadline_at_risk")}


def test_one_notice_per_person_and_step_lists_their_deadlines_in_their_language(record_opened, responsible, qms):
    first, second = record_opened("Batteries"), record_opened("Chargers")
    capa_deadlines_sweep(ANALYSIS_BREACHED)
    # The owner too: the step at risk, passed unannounced, was theirs.
    notices = Notification.objects.select_related("user").filter(kind="deadline_breached")
    assert sorted(n.user.username for n in notices) == ["qms", "responsible"]
    notice = notices.get(user=qms)
    notice.user.language = "en"
    rendered = render_notification(notice)
    assert rendered.subject == "2 nonconformity deadlines missed"
    assert f"- {first.number} Batteries: Root cause analysis, due by the end of 12 Mar 2026" in rendered.body
    assert f"/capa/{second.number}/" in rendered.body
    notice.user.language = "ru"
    assert render_notification(notice).body.startswith("Просрочены:")


def test_two_claims_of_the_same_step_fire_it_once(record_opened):
    record = record_opened()
    first = sweep._claim("analysis", 0, Level.AT_RISK, [record.pk])
    assert first == {record.pk} and sweep._claim("analysis", 0, Level.AT_RISK, [record.pk]) == set()


def test_a_crash_mid_sweep_leaves_nothing_half_done_and_the_next_sweep_fires_it(record_opened, monkeypatch):
    record = record_opened()

    def broken(specs):
        raise ConnectionError("mail server gone")

    real = sweep.notify_many
    monkeypatch.setattr(sweep, "notify_many", broken)
    with pytest.raises(ConnectionError):
        capa_deadlines_sweep(ANALYSIS_AT_RISK)
    assert Nonconformity.objects.get(pk=record.pk).analysis_level == 0 and not deadline_entries(record)
    monkeypatch.setattr(sweep, "notify_many", real)
    assert capa_deadlines_sweep(ANALYSIS_AT_RISK).fired["at_risk"] == 1


def test_the_sweep_costs_the_same_queries_for_3_or_30_records(record_opened, make_user, executor, manager):
    owners = [make_user(f"owner{i}", Role.RESPONSIBLE) for i in range(3)]

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            record = record_opened(f"Record {i}", owner=owners[i % 3])
            planned(record, executor, date(2026, 3, 20))

    def queries_of_sweep(moment) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = capa_deadlines_sweep(moment)
        assert sum(result.fired.values()) > 0
        return len(queries.captured_queries)

    add(3, 0)
    few = queries_of_sweep(ANALYSIS_BREACHED)
    add(30, 3)
    many = queries_of_sweep(ANALYSIS_BREACHED)
    assert few == many <= 30


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_in_threads_fire_each_step_once(reference_data_restored, make_user, frozen, at_once):
    from amends.deadlines.defaults import load_defaults
    from amends.deadlines.models import BusinessCalendar, DeadlinePolicy, WorkingHours

    load_defaults(BusinessCalendar, WorkingHours, DeadlinePolicy, EscalationStep)
    head = make_user("qms-head", Role.QMS_HEAD)
    assert Group.objects.filter(name=Role.QMS_HEAD).exists()
    frozen(OPENED)
    for i in range(10):
        nonconformity_open(actor=head, title=f"Record {i}")
    results = at_once(lambda: capa_deadlines_sweep(ANALYSIS_ESCALATED), 2)
    # Each record's analysis and plan... the plan is not yet late: the analysis alone escalates.
    assert sum(r.fired["escalated"] for r in results) == 10
    assert NonconformityEvent.objects.filter(kind=RecordEventKind.DEADLINE).count() == 10
    notices = Notification.objects.filter(kind="deadline_escalated")
    assert sum(len(n.context["deadlines"]) for n in notices) == 10 and notices.count() <= 2
