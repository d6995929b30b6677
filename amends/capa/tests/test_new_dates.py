"""New dates escalate again: an action rescheduled or found not effective, and a reopened record
(its new analysis and plan dates from the reopening day) start their escalation ladder anew."""

from datetime import date

import pytest

from amends.capa.actions import action_plan, action_report, action_reschedule, plan_complete
from amends.capa.choices import NonconformityState, RecordEventKind
from amends.capa.deadlines import overdue_records, record_deadlines
from amends.capa.effectiveness import effectiveness_record
from amends.capa.lifecycle import ANALYSE
from amends.capa.models import Action, Nonconformity
from amends.capa.nonconformities import nonconformity_reopen, nonconformity_step
from amends.capa.sweep import capa_deadlines_sweep
from amends.deadlines.choices import ClockStatus, Level

from .deadline_fixtures import msk

pytestmark = pytest.mark.usefixtures("english")


def entries(record: Nonconformity, kind: str) -> list[str]:
    return [event.text_display for event in record.events.filter(kind=kind)]


def test_a_rescheduled_action_escalates_again_by_its_new_date(record_opened, frozen, responsible, executor):
    record = record_opened()
    action = action_plan(actor=responsible, nonconformity=record, description="Incoming inspection",
                         owner=executor, due_date=date(2026, 3, 20))
    capa_deadlines_sweep(msk(2026, 3, 21, 1))
    Action.objects.filter(pk=action.pk).update(check_level=Level.AT_RISK)
    action.refresh_from_db()
    assert action.due_level == Level.BREACHED

    frozen(msk(2026, 3, 21, 9))
    action_reschedule(actor=responsible, action=action, due_date=date(2026, 4, 10))
    action.refresh_from_db()
    assert (action.due_level, action.check_level) == (0, 0)
    capa_deadlines_sweep(msk(2026, 4, 11, 1))
    assert entries(record, RecordEventKind.DEADLINE)[-1].startswith(
        "Breached: Action: Incoming inspection, due 10 Apr 2026."
    )


def test_a_record_reopened_by_hand_gets_new_dates_from_that_day(record_opened, frozen, responsible, executor):
    record = record_opened()
    capa_deadlines_sweep(msk(2026, 3, 13, 1))  # the first analysis date breached
    record = nonconformity_step(actor=responsible, nonconformity=record, step=ANALYSE)
    action_plan(actor=responsible, nonconformity=record, description="Incoming inspection", owner=executor,
                due_date=date(2026, 8, 20))
    plan_complete(actor=responsible, nonconformity=record)

    reopened_at = msk(2026, 5, 4, 11)
    frozen(reopened_at)
    nonconformity_reopen(actor=responsible, nonconformity=record, reason="The supplier changed again.")
    record.refresh_from_db()
    assert record.state == NonconformityState.OPEN and record.reopened_at == reopened_at
    assert (record.analysis_due, record.plan_due) == (date(2026, 5, 14), date(2026, 6, 3))
    assert (record.analysis_level, record.plan_level) == (0, 0)
    assert entries(record, RecordEventKind.TRANSITION)[-1] == (
        "Reopened (was “Actions planned”). The supplier changed again. New deadlines: root cause analysis "
        "by 14 May 2026, actions planned by 3 Jun 2026."
    )
    # Not overdue at once; its ladder runs from the reopening: nothing fires that day.
    assert not overdue_records(Nonconformity.objects.all(), reopened_at).exists()
    analysis = record_deadlines(record, reopened_at)[0]
    assert analysis.status == ClockStatus.ON_TRACK
    assert capa_deadlines_sweep(reopened_at).fired == {"at_risk": 0, "breached": 0, "escalated": 0}
    assert capa_deadlines_sweep(msk(2026, 5, 15, 1)).fired["breached"] == 1
    assert entries(record, RecordEventKind.DEADLINE)[-1].startswith(
        "Breached: Root cause analysis, due 14 May 2026."
    )


def test_an_action_found_not_effective_is_due_again_by_the_new_plan_date(
    record_opened, frozen, responsible, executor,
):
    record = nonconformity_step(actor=responsible, nonconformity=record_opened(), step=ANALYSE)
    action = action_plan(actor=responsible, nonconformity=record, description="Incoming inspection",
                         owner=executor, due_date=date(2026, 3, 20), check_on=date(2026, 4, 20))
    plan_complete(actor=responsible, nonconformity=record)
    frozen(msk(2026, 3, 25, 12))
    action_report(actor=executor, action=action, report="Inspection in place", done=True)
    Action.objects.filter(pk=action.pk).update(due_level=Level.BREACHED, check_level=Level.ESCALATED)

    frozen(msk(2026, 6, 1, 12))
    effectiveness_record(actor=responsible, action=action, effective=False, comment="Three more in May.")
    record.refresh_from_db()
    action.refresh_from_db()
    assert record.state == NonconformityState.OPEN and record.plan_due == date(2026, 7, 1)
    assert (action.due_date, action.check_on, action.due_level, action.check_level) == (
        date(2026, 7, 1), date(2026, 9, 29), 0, 0,
    )
    assert entries(record, RecordEventKind.ACTION)[-1] == (
        "Action rescheduled: Incoming inspection — due 1 Jul 2026, effectiveness checked on 29 Sep 2026"
    )
