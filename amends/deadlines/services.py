"""Every write to a card's deadlines: clocks start, are met, stop, pause and resume here.

The lifecycle hooks (receivers.py) call these as the complaints services announce what happened to
the card; people call the waiting, preset, extension and recompute services through the UI and the admin.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.audit.models import Action
from amends.audit.services import audit_record
from amends.complaints.access import access_edit_complaint
from amends.complaints.choices import FINAL_STATES, EventKind
from amends.complaints.events import event_deadline, event_deadline_row
from amends.complaints.models import Complaint, TimelineEvent
from amends.core.bulk import insert_rows
from amends.core.errors import AccessDenied

from .calendar import CalendarRules, add_time, time_between
from .choices import REPLACED_BY_PRESET, STANDARD_CLOCKS, ClockKind, Level, Preset
from .event_texts import due_change
from .models import RUNNING, CardPreset, Clock, CustomerWait, DeadlinePolicy
from .policies import CardFacts, PolicyTable, forget_policy_table, policy_table

THRESHOLD_FIELDS = {Level.AT_RISK: "at_risk_at", Level.BREACHED: "due_at", Level.ESCALATED: "escalate_at"}


def calendar_rules(table: PolicyTable, calendar_id: int | None) -> tuple[PolicyTable, CalendarRules | None]:
    """The rules of a calendar; reloads the table once if another process created the calendar."""
    if calendar_id is None:
        return table, None
    if calendar_id not in table.calendars:
        forget_policy_table()
        table = policy_table()
    return table, table.calendars[calendar_id]


def schedule(clock: Clock, table: PolicyTable) -> None:
    """Set the due time and the escalation thresholds from the start, the allowance and the time paused."""
    table, rules = calendar_rules(table, clock.calendar_id)
    for level, name in THRESHOLD_FIELDS.items():
        offset = table.offset(clock.allowance, level) + clock.paused_total
        setattr(clock, name, add_time(clock.started_at, offset, clock.basis, rules))


def apply_policy(clock: Clock, policy: DeadlinePolicy, table: PolicyTable) -> None:
    """Copy what the policy says onto the clock, so that later edits of the policy do not move it."""
    clock.policy = policy
    clock.allowance, clock.basis, clock.calendar_id = policy.allowance, policy.basis, policy.calendar_id
    schedule(clock, table)


def clock_start_time(complaint: Complaint, preset: str) -> datetime:
    """Statutory clocks start when the demand was presented (DOMAIN.md §10); the rest at receipt."""
    if preset and complaint.demand_presented_at:
        return complaint.demand_presented_at
    return complaint.received_at


def refuse_final(complaint: Complaint) -> None:
    if complaint.state in FINAL_STATES:
        raise ValidationError(
            _("Complaint %(number)s is %(state)s: its deadlines no longer run.")
            % {"number": complaint.number, "state": complaint.get_state_display().lower()}
        )


def clocks_start(
    *, complaint: Complaint, kinds: Iterable[str] = STANDARD_CLOCKS, preset: str = "",
    started_at: datetime | None = None,
) -> list[Clock]:
    """Start the card's clocks of these kinds that a policy covers, in one insert."""
    return Clock.objects.bulk_create(_clocks_new(complaint, policy_table(), kinds, preset, started_at))


def clocks_start_registered(complaints: list[Complaint]) -> None:
    """`clocks_start` of new cards' standard clocks, for many cards in one insert (a batch's)."""
    table = policy_table()
    insert_rows(Clock, [clock for complaint in complaints for clock in _clocks_new(complaint, table)])


def _clocks_new(
    complaint: Complaint, table: PolicyTable, kinds: Iterable[str] = STANDARD_CLOCKS, preset: str = "",
    started_at: datetime | None = None,
) -> list[Clock]:
    refuse_final(complaint)
    facts, clocks = CardFacts.of(complaint), []
    for kind in kinds:
        policy = table.resolve(kind, preset, facts)
        if policy is None:
            continue
        clock = Clock(
            complaint=complaint, kind=kind, preset=preset,
            started_at=started_at or clock_start_time(complaint, preset),
        )
        apply_policy(clock, policy, table)
        if policy.met_on_registration:
            clock.met_at, clock.met_by_registration = complaint.created_at, True
        clocks.append(clock)
    return clocks


def clocks_meet(*, complaint_id: int, kinds: Iterable[str], at: datetime) -> int:
    return Clock.objects.filter(RUNNING, complaint_id=complaint_id, kind__in=list(kinds)).update(
        met_at=at, paused_at=None,
    )


def clocks_stop(*, complaint_id: int, at: datetime) -> int:
    """A card in a final state: nothing runs any more and nobody waits."""
    CustomerWait.objects.filter(complaint_id=complaint_id, ended_at__isnull=True).update(ended_at=at)
    return Clock.objects.filter(RUNNING, complaint_id=complaint_id).update(stopped_at=at)


def clocks_resume(*, complaint_id: int) -> int:
    """A card taken back out of a final state (a duplicate unmarked, marked by mistake): the
    clocks its last stop stopped run again from where they started, the time it was set aside included."""
    stopped = Clock.objects.filter(complaint_id=complaint_id, stopped_at__isnull=False, met_at__isnull=True)
    last = stopped.aggregate(last=Max("stopped_at"))["last"]
    if last is None:
        return 0
    return stopped.filter(stopped_at=last).update(stopped_at=None)


def _retimed(clocks: Iterable[Clock], complaint: Complaint, table: PolicyTable) -> list[dict[str, str]]:
    """Pick each running clock's policy again for the card as it is now; the changes (event_texts.due_change)."""
    facts, changes = CardFacts.of(complaint), []
    for clock in clocks:
        policy = table.resolve(clock.kind, clock.preset, facts)
        started_at = clock_start_time(complaint, clock.preset) if clock.preset else clock.started_at
        if policy is None or (policy.pk == clock.policy_id and started_at == clock.started_at):
            continue
        before = clock.due_at
        clock.started_at = started_at
        apply_policy(clock, policy, table)
        clock.save(update_fields=[
            "policy", "allowance", "basis", "calendar", "started_at", *THRESHOLD_FIELDS.values(),
        ])
        if clock.due_at == before:
            continue
        changes.append(due_change(clock.kind, before.isoformat(), clock.due_at.isoformat()))
    return changes


def clocks_follow_card(*, complaint: Complaint) -> None:
    """The card's own data changed (channel, importance, investigation, demand date): its running
    clocks take the policy that fits it now, and the timeline says so."""
    clocks = list(complaint.clocks.filter(RUNNING))
    if not clocks:
        return
    changes = _retimed(clocks, complaint, policy_table())
    if changes:
        event_deadline(complaint, None, "retimed", {"changes": changes})


@transaction.atomic
def deadlines_recompute(complaints: Iterable[Complaint], actor: User) -> int:
    """Apply the current policies, calendars and ladder to the running clocks of these cards.

    Editing a policy changes no existing deadline; an administrator runs this explicitly and
    each card's timeline records it. Returns the number of cards recomputed.
    """
    if not (actor.is_superuser or actor.has_role(Role.ADMINISTRATOR)):
        raise AccessDenied(_("Only an administrator recomputes deadlines."))
    forget_policy_table()
    table = policy_table()
    cards = [c for c in complaints if c.state not in FINAL_STATES]
    running: dict[int, list[Clock]] = {card.pk: [] for card in cards}
    for clock in Clock.objects.filter(RUNNING, complaint__in=cards):
        running[clock.complaint_id].append(clock)
    events = []
    for card in cards:
        for clock in running[card.pk]:
            clock.policy_id = None  # take the current row even when it is the same one, edited
        changes = _retimed(running[card.pk], card, table)
        events.append(event_deadline_row(card.pk, "recomputed", {"changes": changes}, actor=actor))
    # No lifecycle signal: a DEADLINE event meets no clock.
    TimelineEvent.objects.bulk_create(events)
    audit_record(actor=actor, action=Action.RUN, object_type="deadlines.recompute",
                 object_repr=_("Deadlines recomputed"), changes={"cards": [card.number for card in cards]})
    return len(cards)


def is_waiting(complaint: Complaint) -> bool:
    return CustomerWait.objects.filter(complaint_id=complaint.pk, ended_at__isnull=True).exists()


@transaction.atomic
def waiting_start(*, complaint: Complaint, actor: User, reason: str) -> CustomerWait:
    """The card waits for the customer (e.g. for photos of the defect): its running clocks pause."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    refuse_final(complaint)
    access_edit_complaint(actor, complaint)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the card is waiting for from the customer.")})
    if is_waiting(complaint):
        raise ValidationError(_("The card is already waiting for the customer."))
    now = timezone.now()
    wait = CustomerWait.objects.create(complaint=complaint, reason=reason, started_at=now, started_by=actor)
    Clock.objects.filter(RUNNING, complaint=complaint, paused_at__isnull=True).update(paused_at=now)
    event_deadline(complaint, actor, "waiting", {"reason": reason})
    return wait


@transaction.atomic
def waiting_end(*, complaint: Complaint, actor: User | None) -> CustomerWait | None:
    """The wait is over (the customer replied, or someone ended it): the paused clocks resume and
    their due time and thresholds move by the time paused, counted in each clock's basis.
    Returns the ended wait, or None when the card was not waiting. `actor` None is the customer's
    reply arriving; a person must be one who may edit the card."""
    if actor is not None:
        access_edit_complaint(actor, complaint)
    wait = CustomerWait.objects.select_for_update().filter(complaint=complaint, ended_at__isnull=True).first()
    if wait is None:
        return None
    now = timezone.now()
    wait.ended_at, wait.ended_by = now, actor
    wait.save(update_fields=["ended_at", "ended_by"])
    table = policy_table()
    for clock in Clock.objects.filter(RUNNING, complaint=complaint, paused_at__isnull=False):
        table, rules = calendar_rules(table, clock.calendar_id)
        paused_at = clock.paused_at
        assert paused_at is not None  # the query took only paused clocks
        for name in THRESHOLD_FIELDS.values():
            threshold = getattr(clock, name)
            if threshold > paused_at:
                remaining = time_between(paused_at, threshold, clock.basis, rules)
                setattr(clock, name, add_time(now, remaining, clock.basis, rules))
        clock.paused_total += time_between(paused_at, now, clock.basis, rules)
        clock.paused_at = None
        clock.save(update_fields=["paused_at", "paused_total", *THRESHOLD_FIELDS.values()])
    event_deadline(complaint, actor, "resumed", {"reason": wait.reason})
    return wait


@transaction.atomic
def card_preset_choose(*, complaint: Complaint, actor: User, preset: str) -> list[Clock]:
    """The card is a statutory claim: the preset's clocks start (from the day the demand was
    presented) instead of the standard decision clock, which stops."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    refuse_final(complaint)
    access_edit_complaint(actor, complaint)
    if preset not in Preset.values:
        raise ValidationError({"preset": _("Choose one of the statutory presets.")})
    if CardPreset.objects.filter(complaint=complaint).exists():
        raise ValidationError({"preset": _("The card already follows a statutory preset.")})
    CardPreset.objects.create(complaint=complaint, preset=preset, chosen_by=actor)
    now = timezone.now()
    Clock.objects.filter(RUNNING, complaint=complaint, preset="", kind__in=REPLACED_BY_PRESET).update(
        stopped_at=now,
    )
    clocks = clocks_start(complaint=complaint, kinds=policy_table().clocks_of(preset), preset=preset)
    event_deadline(complaint, actor, "preset", {
        "preset": preset, "clocks": [{"clock": c.kind, "due": c.due_at.isoformat()} for c in clocks],
    })
    return clocks


@transaction.atomic
def clock_extend(*, clock: Clock, actor: User, reason: str) -> Clock:
    """The one extension a statutory term allows (59-FZ: up to 30 more days), with a reason."""
    clock = Clock.objects.select_for_update(of=("self",)).select_related("complaint", "policy").get(pk=clock.pk)
    refuse_final(clock.complaint)
    access_edit_complaint(actor, clock.complaint)
    reason = (reason or "").strip()
    if clock.policy is None or clock.policy.extension is None or not clock.is_running:
        raise ValidationError(_("This deadline cannot be extended."))
    if clock.extension_reason:
        raise ValidationError(_("This deadline was already extended once."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    before = clock.due_at
    clock.allowance += clock.policy.extension
    clock.extension_reason = reason
    schedule(clock, policy_table())
    clock.save(update_fields=["allowance", "extension_reason", *THRESHOLD_FIELDS.values()])
    event_deadline(clock.complaint, actor, "extended", {
        "clock": clock.kind, "before": before.isoformat(), "after": clock.due_at.isoformat(), "reason": reason,
    })
    return clock


def clock_restart(*, complaint: Complaint, kind: str, at: datetime) -> list[Clock]:
    """A reopened card needs a new decision: a fresh clock from the reopening."""
    preset = CardPreset.objects.filter(complaint=complaint).values_list("preset", flat=True).first() or ""
    if kind in REPLACED_BY_PRESET and preset:
        return []
    return clocks_start(complaint=complaint, kinds=[kind], started_at=at)


# Which happenings on the timeline meet which clocks.
MET_BY_EVENT: dict[str, tuple[ClockKind, ...]] = {
    EventKind.MESSAGE_OUT: (ClockKind.FIRST_RESPONSE,),
    EventKind.CALL: (ClockKind.FIRST_RESPONSE,),
}
MET_BY_TRANSITION: dict[str, tuple[ClockKind, ...]] = {
    "decide": (ClockKind.DECISION,),
    "answer": (ClockKind.DECISION, ClockKind.ANSWER, ClockKind.FIRST_RESPONSE),
}
