"""One nonconformity from end to end through the services, as the parts hand it to each other:
the cards break a supplier's norm → proposed → accepted → owner appointed → 5 Whys and fishbone →
analysed → two actions planned → plan complete → both done → one found not effective (the record
reopens with new dates, the action is due again) → analysed and planned again → done → both
effective → checked → closed. The record's timeline tells it in English, each card says it was
linked, and the deadlines and their escalation levels start anew at the reopening."""

from datetime import date

import pytest

from amends.capa.actions import action_plan, action_report, action_reschedule, plan_complete
from amends.capa.choices import ActionKind, ActionStatus, Category6M, NonconformityState, ProposalStatus
from amends.capa.deadlines import overdue_records
from amends.capa.effectiveness import effectiveness_record
from amends.capa.evidence import evidence_for
from amends.capa.models import Action, Nonconformity, Proposal, SupplierNorm
from amends.capa.nonconformities import nonconformity_appoint, nonconformity_close
from amends.capa.norms import norm_check
from amends.capa.proposals import proposal_accept
from amends.capa.root_cause import analysis_complete, fishbone_add, whys_save
from amends.capa.sweep import capa_deadlines_sweep
from amends.complaints.choices import EventKind
from amends.deadlines.choices import Level
from amends.notifications.models import Notification

from .deadline_fixtures import msk

pytestmark = pytest.mark.usefixtures("english")

NOTHING = {"at_risk": 0, "breached": 0, "escalated": 0}


def timeline(record: Nonconformity) -> list[str]:
    return [event.text_display for event in record.events.order_by("at", "pk")]


def test_a_nonconformity_from_the_norm_to_its_close(
    frozen, classified, supplier, component, supplier_cause, qms, responsible, executor,
):
    # The cards: three justified complaints about one supplier's batteries against its norm of 2.
    frozen(msk(2026, 3, 2, 10))
    SupplierNorm.objects.create(supplier=supplier, norm=2)
    cards = [classified(cause=supplier_cause, component=component, received_at=msk(2026, 2, 20 + n, 12))
             for n in range(3)]

    [breach] = norm_check()
    proposal = Proposal.objects.get(key=breach.key)
    assert Notification.objects.filter(kind="norm_exceeded", user=qms).count() == 1
    assert not Notification.objects.filter(kind="capa_proposal").exists()

    record = proposal_accept(actor=qms, proposal=proposal, title="AKB-Snab batteries lose capacity")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.nonconformity == record
    assert (record.supplier, record.analysis_due, record.plan_due) == (supplier, date(2026, 3, 12), date(2026, 4, 1))
    nonconformity_appoint(actor=qms, nonconformity=record, owner=responsible)

    # Root cause.
    whys_save(actor=responsible, nonconformity=record, steps=[
        ("Why do the batteries lose capacity?", "Their cells degrade early."),
        ("Why do the cells degrade?", "One batch was stored hot."),
    ])
    fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MATERIAL,
                 text="Cells of batch 12", is_root=True)
    analysis_complete(actor=responsible, nonconformity=record, root_cause="Cells of batch 12 stored hot.")

    # Two actions, the plan complete, both done.
    inspection = action_plan(
        actor=responsible, nonconformity=record, description="Incoming inspection of cells", owner=executor,
        due_date=date(2026, 3, 20), check_on=date(2026, 4, 20),
    )
    storage = action_plan(
        actor=responsible, nonconformity=record, description="Cool storage at the supplier", owner=executor,
        due_date=date(2026, 3, 25), kind=ActionKind.PREVENTIVE,
    )
    plan_complete(actor=responsible, nonconformity=record)
    frozen(msk(2026, 3, 18, 15))
    action_report(actor=executor, action=inspection, report="Every batch tested", done=True)
    frozen(msk(2026, 3, 24, 15))
    action_report(actor=executor, action=storage, report="Storage at 20 °C", done=True)
    record.refresh_from_db()
    assert record.state == NonconformityState.ACTIONS_DONE

    # A complaint comes back; the inspection's check falls due and escalates.
    late = classified(cause=supplier_cause, component=component, received_at=msk(2026, 4, 10, 12))
    assert capa_deadlines_sweep(msk(2026, 4, 21, 1)).fired["breached"] == 1
    assert Action.objects.get(pk=inspection.pk).check_level == Level.BREACHED

    frozen(msk(2026, 4, 21, 12))
    inspection.refresh_from_db()
    evidence = evidence_for(inspection)
    [by_supplier] = [d for d in evidence.dimensions if d.dimension == "supplier"]
    assert set(by_supplier.before) == {card.number for card in cards} and by_supplier.after == [late.number]
    effectiveness_record(actor=responsible, action=inspection, effective=False, comment="One more in April.")

    # Reopened: new dates from today, the action due again, nothing overdue, the ladder anew.
    record.refresh_from_db()
    inspection.refresh_from_db()
    assert (record.state, record.reopened) == (NonconformityState.OPEN, 1)
    assert (record.analysis_due, record.plan_due, record.analysis_level) == (date(2026, 5, 1), date(2026, 5, 21), 0)
    assert (inspection.status, inspection.due_date, inspection.due_level, inspection.check_level) == (
        ActionStatus.PLANNED, date(2026, 5, 21), 0, 0,
    )
    assert not overdue_records(Nonconformity.objects.all()).exists()
    assert capa_deadlines_sweep(msk(2026, 4, 21, 12)).fired == NOTHING
    assert capa_deadlines_sweep(msk(2026, 5, 2, 1)).fired["breached"] == 1  # the new analysis date

    # Analysed and planned again, done, both effective, checked, closed.
    frozen(msk(2026, 5, 4, 10))
    analysis_complete(actor=responsible, nonconformity=record, root_cause="Cells of batch 12 and 13 stored hot.")
    action_reschedule(actor=responsible, action=inspection, due_date=date(2026, 5, 15), check_on=date(2026, 6, 15))
    plan_complete(actor=responsible, nonconformity=record)
    frozen(msk(2026, 5, 14, 10))
    action_report(actor=executor, action=inspection, report="Every cell tested", done=True)
    frozen(msk(2026, 6, 16, 10))
    effectiveness_record(actor=responsible, action=storage, effective=True, comment="No complaint since.")
    effectiveness_record(actor=responsible, action=inspection, effective=True, comment="No complaint since.")
    record.refresh_from_db()
    assert record.state == NonconformityState.EFFECTIVENESS_CHECKED
    nonconformity_close(actor=qms, nonconformity=record)
    record.refresh_from_db()
    assert record.state == NonconformityState.CLOSED

    assert [card.number for card in cards] == ["2026-000001", "2026-000002", "2026-000003"]
    assert timeline(record) == STORY
    for card in cards:
        [entry] = card.events.filter(kind=EventKind.NONCONFORMITY)
        assert entry.text_display == f"Linked to the nonconformity {record.number}: AKB-Snab batteries lose capacity"


STORY = [
    "Nonconformity opened (A supplier or manufacturer norm exceeded): AKB-Snab batteries lose capacity",
    "Complaints linked: 2026-000001, 2026-000002, 2026-000003",
    "Opened from the proposal of 2 Mar 2026: Norm exceeded.",
    "Owner appointed: Responsible",
    "5 Whys saved, 2 steps; the deepest answer: One batch was stored hot.",
    "Fishbone, Material (components): root cause added: Cells of batch 12",
    "Root cause analysed: Cells of batch 12 stored hot.",
    "Status: Analysed.",
    "Corrective action planned: Incoming inspection of cells — Executor, due 20 Mar 2026, effectiveness checked "
    "on 20 Apr 2026",
    "Preventive action planned: Cool storage at the supplier — Executor, due 25 Mar 2026, effectiveness checked "
    "on 23 Jun 2026",
    "Status: Actions planned.",
    "Action done: Incoming inspection of cells — Every batch tested",
    "Action done: Cool storage at the supplier — Storage at 20 °C",
    "Status: Actions done.",
    "Breached: Effectiveness check: Incoming inspection of cells, due 20 Apr 2026. Notified: Responsible, Qms. "
    "Passed before the first check, not announced apart: At risk.",
    "Not effective: Incoming inspection of cells — One more in April.",
    "Reopened (was “Actions done”). One more in April. New deadlines: root cause analysis by 1 May 2026, "
    "actions planned by 21 May 2026.",
    "Action rescheduled: Incoming inspection of cells — due 21 May 2026, effectiveness checked on 19 Aug 2026",
    "Breached: Root cause analysis, due 1 May 2026. Notified: Responsible, Qms. Passed before the first check, "
    "not announced apart: At risk.",
    "Root cause analysed: Cells of batch 12 and 13 stored hot.",
    "Status: Analysed.",
    "Action rescheduled: Incoming inspection of cells — due 15 May 2026, effectiveness checked on 15 Jun 2026",
    "Status: Actions planned.",
    "Action done: Incoming inspection of cells — Every cell tested",
    "Status: Actions done.",
    "Effective: Cool storage at the supplier — No complaint since.",
    "Effective: Incoming inspection of cells — No complaint since.",
    "Status: Effectiveness checked.",
    "Closed.",
]
