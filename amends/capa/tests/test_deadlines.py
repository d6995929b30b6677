from datetime import date, timedelta

import pytest
from django.urls import reverse

from amends.capa.choices import ActionStatus, NonconformityState
from amends.capa.deadlines import my_capa_deadlines, overdue_records, record_deadlines
from amends.capa.lifecycle import ANALYSE
from amends.capa.models import EffectivenessCheck, Nonconformity
from amends.capa.nonconformities import nonconformity_step
from amends.deadlines.choices import Level
from amends.deadlines.models import EscalationStep

from .deadline_fixtures import ANALYSIS_AT_RISK, ANALYSIS_BREACHED, msk, planned

pytestmark = pytest.mark.usefixtures("english")


def statuses(record, now) -> list[tuple[str, str]]:
    return [(str(d.label), d.status) for d in record_deadlines(record, now)]


def test_the_analysis_and_the_plan_run_from_the_opening_to_the_end_of_their_day(record_opened):
    record = record_opened()
    assert (record.analysis_due, record.plan_due) == (date(2026, 3, 12), date(2026, 4, 1))
    first = record_deadlines(record)
    assert [(str(d.label), d.due_at, d.day) for d in first] == [
        ("Root cause analysis", msk(2026, 3, 13), date(2026, 3, 12)),
        ("Actions planned", msk(2026, 4, 2), date(2026, 4, 1)),
    ]
    assert first[0].url == reverse("capa:record", args=[record.number])
    assert first[0].subject == f"{record.number} Batteries lose capacity"
    assert first[0].complaint is None
    before_risk = ANALYSIS_AT_RISK - timedelta(minutes=1)
    assert statuses(record, before_risk)[0] == ("Root cause analysis", "on_track")
    assert statuses(record, ANALYSIS_AT_RISK)[0] == ("Root cause analysis", "at_risk")
    last_minute = record_deadlines(record, ANALYSIS_BREACHED - timedelta(minutes=1))[0]
    assert last_minute.status == "at_risk" and last_minute.time_left == timedelta(minutes=1)
    late = record_deadlines(record, ANALYSIS_BREACHED + timedelta(hours=2))[0]
    assert late.status == "breached" and late.time_left == -timedelta(hours=2)


def test_the_ladder_per_cent_moves_at_risk(record_opened):
    record = record_opened()
    EscalationStep.objects.filter(level=Level.AT_RISK).update(percent=50)
    # Half of 254 hours after the opening: 7 March 17:00.
    assert statuses(record, msk(2026, 3, 7, 17))[0] == ("Root cause analysis", "at_risk")
    EscalationStep.objects.filter(level=Level.AT_RISK).delete()  # the deadlines app's default, 75 %
    assert statuses(record, msk(2026, 3, 7, 17))[0] == ("Root cause analysis", "on_track")


def test_analysed_and_planned_records_meet_those_deadlines_and_a_closed_one_stops_the_rest(record_opened, responsible):
    record = record_opened()
    record = nonconformity_step(actor=responsible, nonconformity=record, step=ANALYSE)
    assert statuses(record, ANALYSIS_BREACHED) == [
        ("Root cause analysis", "met"), ("Actions planned", "on_track"),
    ]
    action = planned(record, responsible, date(2026, 3, 20))
    Nonconformity.objects.filter(pk=record.pk).update(state=NonconformityState.CLOSED)
    record.refresh_from_db()
    assert dict(statuses(record, ANALYSIS_BREACHED))[f"Action: {action.description}"] == "stopped"
    assert all(d.time_left is None for d in record_deadlines(record, ANALYSIS_BREACHED))


def test_an_action_is_due_until_done_then_its_check_until_checked(record_opened, responsible, executor, qms):
    record = record_opened()
    action = planned(record, executor, date(2026, 3, 20))
    due = record_deadlines(record, msk(2026, 3, 19))
    assert [(str(d.label), d.status) for d in due if d.label.startswith("Action:")] == [
        ("Action: Incoming inspection of batteries", "at_risk"),
    ]
    action.status, action.done_at = ActionStatus.DONE, msk(2026, 3, 20, 12)
    action.save()
    lines = dict(statuses(record, msk(2026, 6, 1)))
    assert lines["Action: Incoming inspection of batteries"] == "met"
    assert lines["Effectiveness check: Incoming inspection of batteries"] == "on_track"
    EffectivenessCheck.objects.create(action=action, effective=True, comment="No more", checked_by=qms,
                                      checked_at=msk(2026, 9, 1, 9))
    lines = dict(statuses(record, msk(2026, 9, 2)))
    assert lines["Effectiveness check: Incoming inspection of batteries"] == "met"


def test_a_cancelled_action_is_stopped(record_opened, executor):
    record = record_opened()
    planned(record, executor, date(2026, 3, 20), status=ActionStatus.CANCELLED)
    assert dict(statuses(record, msk(2026, 3, 25)))["Action: Incoming inspection of batteries"] == "stopped"


def test_my_capa_deadlines_are_the_records_i_own_and_the_actions_i_own(record_opened, responsible, executor, make_user):
    mine, theirs = record_opened("Mine"), record_opened("Theirs", owner=make_user("other"))
    planned(mine, executor, date(2026, 3, 20))
    planned(theirs, responsible, date(2026, 3, 25))
    nonconformity_step(actor=responsible, nonconformity=mine, step=ANALYSE)
    assert [(d.subject, str(d.label)) for d in my_capa_deadlines(responsible)] == [
        (f"{theirs.number} Theirs", "Action: Incoming inspection of batteries"),
        (f"{mine.number} Mine", "Actions planned"),
    ]
    assert [str(d.label) for d in my_capa_deadlines(executor)] == ["Action: Incoming inspection of batteries"]
    Nonconformity.objects.filter(pk=theirs.pk).update(state=NonconformityState.CLOSED)
    assert [str(d.label) for d in my_capa_deadlines(responsible)] == ["Actions planned"]


def test_overdue_records_are_those_with_a_deadline_passed_and_not_met(record_opened, responsible, executor, qms):
    late_analysis, on_time, late_action, late_check = (record_opened(title) for title in "ABCD")
    for record in (on_time, late_action, late_check):
        nonconformity_step(actor=responsible, nonconformity=record, step=ANALYSE)
    planned(late_action, executor, date(2026, 3, 10))
    planned(on_time, executor, date(2026, 3, 10), status=ActionStatus.DONE, done_at=msk(2026, 3, 9))
    checked = planned(late_check, executor, date(2026, 3, 5), status=ActionStatus.DONE, done_at=msk(2026, 3, 4),
                      check_on=date(2026, 3, 9))
    # On 12 March at noon the analysis is not yet late (due by the end of the day); a day later it is.
    assert set(overdue_records(Nonconformity.objects.all(), msk(2026, 3, 12, 12))) == {late_action, late_check}
    assert set(overdue_records(Nonconformity.objects.all(), msk(2026, 3, 13, 0, 1))) == {
        late_analysis, late_action, late_check,
    }
    EffectivenessCheck.objects.create(
        action=checked, effective=True, comment="ok", checked_by=qms, checked_at=msk(2026, 3, 12),
    )
    assert late_check not in overdue_records(Nonconformity.objects.all(), msk(2026, 3, 13))
