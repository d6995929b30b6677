"""The demo's CAPA story (DOMAIN.md §7): one battery supplier over its norm this year, traced and fixed.

Ten justified complaints on the backup battery of the Termo-24 boiler (supplier «АккуСтар»): seven in
the hundred days before the actions were done, one in the hundred days since, two earlier in the year.
When the norm was first crossed the norms' check ran, the QMS head accepted its proposal, the owner
found the root cause, and two actions were done about a hundred days ago: one checked effective, one
waiting for its check. Then today's checks: the manufacturer's norm proposal taken on (analysed, one
action overdue), the all-suppliers one dismissed with a reason, a card's measure promoted.

Everything goes through the CAPA services; the services stamp what they write with the time they run
at, so after each step the demo moves those stamps to the moment the step was planned for (`stamp`),
as `load.backdate` does for the cards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.db.models import F, Model
from django.utils import timezone

from amends.accounts.models import User
from amends.capa.actions import action_plan, action_report, plan_complete
from amends.capa.choices import ActionKind, Category6M, NormSubject, ProposalKind, ProposalStatus
from amends.capa.clusters import cluster_check
from amends.capa.effectiveness import effectiveness_record
from amends.capa.event_texts import ACTION_PLANNED
from amends.capa.growth import cause_growth_check
from amends.capa.models import (
    Action,
    CapaSettings,
    EffectivenessCheck,
    Nonconformity,
    NonconformityComplaint,
    NonconformityEvent,
    NormBreach,
    Proposal,
)
from amends.capa.nonconformities import nonconformity_appoint
from amends.capa.norms import norm_check
from amends.capa.promotion import measure_promote
from amends.capa.proposals import proposal_accept, proposal_dismiss
from amends.capa.root_cause import analysis_complete, fishbone_add, whys_save
from amends.complaints.choices import CauseKind, Channel, Justification, State
from amends.complaints.models import Complaint, Measure, TimelineEvent
from amends.customers.models import Component, Product, Supplier
from amends.notifications.models import Notification

from .company import Customer
from .plan import Spec, _new_spec, _wording
from .texts import RU, SUPPLIERS

TEXTS = RU["capa"]
BATTERY_SUPPLIER = "akku"
BATTERY_PRODUCT = "TK-24"
DEFECT = "Брак, неисправность"
# Days before `now` each battery complaint was received: 2 early in the year, 7 in the hundred days
# before the actions were done, 1 since.
BATTERY_DAYS_AGO = (290, 245, 192, 181, 169, 158, 147, 136, 125, 45)
OPENED_DAYS_AGO = 118  # the norm crossed: the 9th card is in, the 10th is to come
DONE_DAYS_AGO = 100
# What the services stamp with the time they run at: model and its fields.
STAMPS: list[tuple[type[Model], tuple[str, ...]]] = [
    (Nonconformity, ("opened_at", "closed_at")),
    (NonconformityEvent, ("at",)),
    (NonconformityComplaint, ("linked_at",)),
    (Action, ("created_at", "done_at")),
    (EffectivenessCheck, ("checked_at",)),
    (Proposal, ("created_at", "decided_at")),
    (NormBreach, ("flagged_at",)),
    (Notification, ("created_at",)),
    (TimelineEvent, ("created_at",)),
    (Complaint, ("updated_at",)),
]


def stamp(since: datetime, moment: datetime) -> None:
    """Move every stamp written since `since` to `moment`. The record's timeline is append-only for
    people (`NonconformityEvent.save`); the demo writes its own history here, by `update()`."""
    for model, fields in STAMPS:
        for name in fields:
            model.objects.filter(**{f"{name}__gte": since}).update(**{name: moment})  # type: ignore[attr-defined]


def _day(now: datetime, days_ago: float, hour: int = 10) -> datetime:
    day = timezone.localdate(now) - timedelta(days=int(days_ago))
    return timezone.make_aware(datetime.combine(day, dtime(hour, 15)))


def battery_now(now: datetime) -> datetime:
    """The moment the battery story counts back from: `now`, unless its cards would then straddle New
    Year; the norm is yearly, so the story then ends in the year before, its last card on 31 December."""
    first, last = _day(now, BATTERY_DAYS_AGO[0]), _day(now, BATTERY_DAYS_AGO[-1])
    if first.year == last.year:
        return now
    return now - timedelta(days=(last.date() - date(last.year - 1, 12, 31)).days)


def battery_specs(now: datetime, customers: list[Customer], products: list[Product],
                  components: dict[int, list[tuple[Component, int]]], seed: int) -> list[Spec]:
    """The battery complaints, each from another customer, closed as justified by the supplier's fault.
    Drawn from their own generator, so that the rest of the demo stays as it was."""
    rng = random.Random(seed + 15)
    now = battery_now(now)
    product = next(p for p in products if p.code == BATTERY_PRODUCT)
    supplier = Supplier.objects.get(name=SUPPLIERS[BATTERY_SUPPLIER][0])
    battery = next(c for c, _w in components[product.pk] if c.supplier_id == supplier.pk)
    people = rng.sample([c for c in customers if c.contact is not None], len(BATTERY_DAYS_AGO))
    specs = []
    for days_ago, customer in zip(BATTERY_DAYS_AGO, people, strict=True):
        spec = _new_spec(rng, now, customers, products, components,
                         channel=rng.choice([Channel.PHONE, Channel.EMAIL]), category=DEFECT)
        spec.customer, spec.product, spec.component = customer, product, battery
        spec.received_at = _day(now, days_ago, hour=rng.randint(9, 17))
        spec.justification, spec.cause, spec.target = Justification.JUSTIFIED, CauseKind.SUPPLIER, State.CLOSED
        spec.employee = None
        spec.wording = _wording(rng, spec, None)
        specs.append(spec)
    return specs


def _planned_dates(action: Action, due: date, check_on: date) -> None:
    """An action planned in the past was due then; action_plan takes no date before today, so the
    demo sets the dates after, in the timeline's entry too (its params word it)."""
    Action.objects.filter(pk=action.pk).update(due_date=due, check_on=check_on)
    for event in NonconformityEvent.objects.filter(nonconformity_id=action.nonconformity_id, code=ACTION_PLANNED,
                                                   params__action=action.description):
        NonconformityEvent.objects.filter(pk=event.pk).update(
            params={**event.params, "due": due.isoformat(), "check_on": check_on.isoformat()},
        )


def _deadlines_from(record: Nonconformity, opened: datetime) -> None:
    """The analysis and planning deadlines count from the day the record was opened."""
    settings, day = CapaSettings.current(), timezone.localdate(opened)
    Nonconformity.objects.filter(pk=record.pk).update(
        analysis_due=day + timedelta(days=settings.analysis_days),
        plan_due=day + timedelta(days=settings.analysis_days + settings.plan_days),
    )


@dataclass
class CapaStory:
    now: datetime
    users: dict[str, User]
    records: bool = True  # False: only the checks, the proposals left for a person to decide
    battery: Nonconformity | None = None
    actions: list[Action] = field(default_factory=list)

    @property
    def opened_at(self) -> datetime:
        return _day(battery_now(self.now), OPENED_DAYS_AGO, hour=9)

    @property
    def battery_done_at(self) -> datetime:
        return battery_now(self.now) - timedelta(days=DONE_DAYS_AGO)

    def before_card(self, received_at: datetime) -> None:
        """Called before each card is loaded: the record is opened once the cards before it are in."""
        if self.records and self.battery is None and received_at > self.opened_at:
            self._open_battery_record()

    def step(self, moment: datetime, run: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        since = timezone.now()
        result = run(*args, **kwargs)
        stamp(since, moment)
        return result

    def _open_battery_record(self) -> None:
        users, opened = self.users, self.opened_at
        qms, owner = users["qms"], users["responsible3"]
        self.step(opened - timedelta(hours=1), norm_check, now=opened)
        supplier = Supplier.objects.get(name=SUPPLIERS[BATTERY_SUPPLIER][0])
        # This period's (the check looks at the one before too).
        proposal = Proposal.objects.filter(kind=ProposalKind.NORM, supplier=supplier,
                                           status=ProposalStatus.PENDING).latest("pk")
        record = self.step(opened, proposal_accept, actor=qms, proposal=proposal)
        _deadlines_from(record, opened)
        self.step(opened + timedelta(hours=1), nonconformity_appoint, actor=qms, nonconformity=record, owner=owner)
        self.step(opened + timedelta(days=2), whys_save, actor=owner, nonconformity=record,
                  steps=[tuple(pair) for pair in TEXTS["whys"]])
        for hours, (bone, text, root) in enumerate(TEXTS["fishbone"]):
            self.step(opened + timedelta(days=3, hours=hours), fishbone_add, actor=owner, nonconformity=record,
                      category=Category6M(bone), text=text, is_root=root)
        self.step(opened + timedelta(days=5), analysis_complete, actor=owner, nonconformity=record,
                  root_cause=TEXTS["root_cause"])
        today, done = timezone.localdate(), timezone.localdate(self.battery_done_at)
        days = CapaSettings.current().effectiveness_days
        for hours, (kind, text, owner_name, due) in enumerate([
            (ActionKind.CORRECTIVE, TEXTS["corrective"], "executor4", done + timedelta(days=2)),
            (ActionKind.PREVENTIVE, TEXTS["preventive"], "responsible3", done + timedelta(days=3)),
        ]):
            action = self.step(opened + timedelta(days=6, hours=hours), action_plan, actor=owner, nonconformity=record,
                               description=text, owner=users[owner_name], kind=kind, due_date=today + timedelta(days=1))
            _planned_dates(action, due, due + timedelta(days=days))
            self.actions.append(action)
        self.battery = self.step(opened + timedelta(days=6, hours=3), plan_complete, actor=owner, nonconformity=record)

    def finish(self) -> None:
        """After every card is in: the battery actions done and checked, today's checks, the other records."""
        now, users = self.now, self.users
        if self.records:
            if self.battery is None:
                self._open_battery_record()
            done = self.battery_done_at
            for hours, (action, report) in enumerate(zip(self.actions, ("corrective_report", "preventive_report"),
                                                         strict=True)):
                self.step(done + timedelta(hours=hours), action_report, actor=users["responsible3"],
                          action=Action.objects.get(pk=action.pk), report=TEXTS[report], done=True)
            self.step(now - timedelta(days=1), effectiveness_record, actor=users["qms"],
                      action=Action.objects.get(pk=self.actions[0].pk), effective=True,
                      comment=TEXTS["check_comment"])
        # The hourly jobs ran a little before the demo was opened.
        jobs_ran = now - timedelta(minutes=20)
        self.step(jobs_ran, norm_check, now=now)
        self.step(jobs_ran, cluster_check, now=now)
        self.step(jobs_ran, cause_growth_check, now=now)
        if self.records:
            self._manufacturer_record()
            self._dismiss_all_suppliers()
            self._promote_a_measure()

    def summary(self) -> str:
        pending = Proposal.objects.filter(status=ProposalStatus.PENDING).count()
        return (f"{Nonconformity.objects.count()} nonconformities, {NormBreach.objects.count()} norm breaches, "
                f"{Proposal.objects.count()} proposals ({pending} waiting for the QMS head)")

    def _pending(self, subject: str, days_ago: float) -> tuple[Proposal, datetime] | None:
        """The latest period's proposal still pending that was made at least a day before the decision
        `days_ago` days back (one made by today's check waits for the QMS head)."""
        decided = self.now - timedelta(days=days_ago)
        proposal = Proposal.objects.filter(
            kind=ProposalKind.NORM, status=ProposalStatus.PENDING, params__subject=subject,
            created_at__lt=decided - timedelta(days=1),
        ).order_by("-params__period_start", "-pk").first()
        return None if proposal is None else (proposal, decided)

    def _manufacturer_record(self) -> None:
        """Analysed, two actions planned, the corrective one overdue."""
        pending = self._pending(NormSubject.MANUFACTURER, 40)
        if pending is None:
            return
        proposal, opened = pending
        users, qms, owner = self.users, self.users["qms"], self.users["responsible4"]
        record = self.step(opened, proposal_accept, actor=qms, proposal=proposal, owner=owner)
        _deadlines_from(record, opened)
        self.step(opened + timedelta(days=1), whys_save, actor=owner, nonconformity=record,
                  steps=[tuple(pair) for pair in TEXTS["manufacturer_whys"]])
        for bone, text, root in TEXTS["manufacturer_fishbone"]:
            self.step(opened + timedelta(days=2), fishbone_add, actor=owner, nonconformity=record,
                      category=Category6M(bone), text=text, is_root=root)
        self.step(opened + timedelta(days=4), analysis_complete, actor=owner, nonconformity=record,
                  root_cause=TEXTS["manufacturer_root_cause"])
        today = timezone.localdate()
        overdue = self.step(opened + timedelta(days=5), action_plan, actor=owner, nonconformity=record,
                            description=TEXTS["manufacturer_corrective"], owner=users["executor3"],
                            kind=ActionKind.CORRECTIVE, due_date=today + timedelta(days=1))
        due = timezone.localdate(self.now) - timedelta(days=5)
        _planned_dates(overdue, due, due + timedelta(days=CapaSettings.current().effectiveness_days))
        self.step(opened + timedelta(days=5, hours=1), action_plan, actor=owner, nonconformity=record,
                  description=TEXTS["manufacturer_preventive"], owner=users["responsible3"],
                  kind=ActionKind.PREVENTIVE, due_date=today + timedelta(days=25))
        self.step(opened + timedelta(days=5, hours=2), plan_complete, actor=owner, nonconformity=record)
        self.step(opened + timedelta(days=20), action_report, actor=users["executor3"],
                  action=Action.objects.get(pk=overdue.pk), report=TEXTS["manufacturer_corrective_report"])

    def _dismiss_all_suppliers(self) -> None:
        pending = self._pending(NormSubject.ALL_SUPPLIERS, 30)
        if pending is None or self.battery is None:
            return
        proposal, decided = pending
        self.step(decided, proposal_dismiss, actor=self.users["qms"], proposal=proposal,
                  reason=TEXTS["dismiss_reason"].format(number=self.battery.number))

    def _promote_a_measure(self) -> None:
        """A measure still under way on a card of the manufacturer's fault becomes a corrective action."""
        today = timezone.localdate()
        # The one still due first, else any not done: a load on PostgreSQL had none still due.
        measure = (
            Measure.objects.filter(done_at=None, complaint__cause__kind=CauseKind.MANUFACTURER,
                                   complaint__state__in=[State.MEASURES_PLANNED, State.IN_PROGRESS])
            .select_related("complaint").order_by(F("due_date").desc(), "complaint__received_at", "pk").first()
        )
        if measure is None:
            return
        moment = max(self.now - timedelta(days=1), measure.created_at + timedelta(hours=1))
        # A measure already overdue becomes an action due in a fortnight (the form asks the same of a person).
        due_date = None if measure.due_date >= today else today + timedelta(days=14)
        self.step(moment, measure_promote, actor=self.users["qms"], measure=measure, due_date=due_date,
                  title=TEXTS["promoted_title"].format(measure=measure.description)[:300])
