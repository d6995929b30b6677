"""A nonconformity's core services: open it (with its number), link complaints, appoint its owner,
take a lifecycle step. Each writes its timeline entry (events.py) in the same transaction."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints import access as card_access
from amends.complaints.events import event_nonconformity
from amends.complaints.models import Complaint
from amends.core.errors import TransitionNotAllowed

from .access import access_manage, access_process_owner
from .choices import NonconformityKind, NonconformityState, RecordEventKind, Source
from .event_texts import CHANGED, LINKED, OPENED, OWNER_APPOINTED, STEP, UNLINKED
from .events import record_event
from .lifecycle import CLOSE, REOPEN, STEPS
from .models import CapaSettings, Nonconformity, NonconformityComplaint, NonconformitySequence
from .selectors import NOT_COUNTED


def _next_number(year: int) -> str:
    NonconformitySequence.objects.get_or_create(year=year)
    sequence = NonconformitySequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"NC-{year}-{sequence.last:04d}"


def linkable_errors(complaints: Iterable[Complaint]) -> list[str]:
    """Why these cards may not be linked: a duplicate counts in its original, a withdrawn card is no complaint."""
    return [
        _("%(number)s is a duplicate: link its original instead.") % {"number": card.number}
        if card.state == NOT_COUNTED[0] else
        _("%(number)s was withdrawn and is not counted.") % {"number": card.number}
        for card in complaints if card.state in NOT_COUNTED
    ]


def stage_dues(day: date) -> tuple[date, date]:
    """The analysis and plan due dates of a record opened or reopened on `day` (CapaSettings)."""
    settings = CapaSettings.current()
    analysis_due = day + timedelta(days=settings.analysis_days)
    return analysis_due, analysis_due + timedelta(days=settings.plan_days)


@transaction.atomic
def nonconformity_open(
    *, actor: User, title: str, kind: str = NonconformityKind.ACTUAL, source: str = Source.MANUAL,
    complaints: Iterable[Complaint] = (), description: str = "", owner: User | None = None, **concerns,
) -> Nonconformity:
    """Open a nonconformity; `concerns` are its product, component, supplier, department, process, cause.
    The analysis and planning deadlines follow the CAPA settings."""
    cards = list(complaints)
    if source in (Source.MANUAL, Source.NORM, Source.CLUSTER, Source.CAUSE_GROWTH):
        access_process_owner(actor)
    else:
        for card in cards:
            card_access.access_write(actor, card, card_access.NONCONFORMITY)
    errors = linkable_errors(cards)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    today = timezone.localdate(now)
    analysis_due, plan_due = stage_dues(today)
    nonconformity = Nonconformity(
        number=_next_number(today.year), kind=kind, source=source, title=title, description=description,
        opened_by=actor, opened_at=now, owner=owner, analysis_due=analysis_due, plan_due=plan_due, **concerns,
    )
    nonconformity.full_clean(exclude=["number"])
    nonconformity.save()
    record_event(nonconformity, RecordEventKind.OPENED, OPENED, {"source": source, "title": title}, actor)
    if owner is not None:
        record_event(nonconformity, RecordEventKind.OWNER, OWNER_APPOINTED, {"owner": str(owner)}, actor)
    _link(nonconformity, cards, actor)
    return nonconformity


def _link(nonconformity: Nonconformity, cards: list[Complaint], actor: User | None) -> list[Complaint]:
    linked = set(nonconformity.links.filter(complaint__in=cards).values_list("complaint_id", flat=True))
    new = [card for card in cards if card.pk not in linked]
    if not new:
        return []
    NonconformityComplaint.objects.bulk_create(
        [NonconformityComplaint(nonconformity=nonconformity, complaint=card, linked_by=actor) for card in new]
    )
    numbers = [card.number for card in new]
    record_event(nonconformity, RecordEventKind.COMPLAINTS, LINKED, {"cards": numbers}, actor)
    for card in new:
        event_nonconformity(card, actor, LINKED, {"number": nonconformity.number, "title": nonconformity.title})
    return new


@transaction.atomic
def nonconformity_link(
    *, actor: User, nonconformity: Nonconformity, complaints: Iterable[Complaint],
) -> list[Complaint]:
    """Link cards to a nonconformity (those already linked are left as they are); returns the new ones."""
    cards = list(complaints)
    for card in cards:
        card_access.access_write(actor, card, card_access.NONCONFORMITY)
    errors = linkable_errors(cards)
    if errors:
        raise ValidationError(errors)
    return _link(nonconformity, cards, actor)


@transaction.atomic
def nonconformity_unlink(*, actor: User, nonconformity: Nonconformity, complaint: Complaint) -> bool:
    card_access.access_write(actor, complaint, card_access.NONCONFORMITY)
    deleted, _rows = nonconformity.links.filter(complaint=complaint).delete()
    if deleted:
        record_event(nonconformity, RecordEventKind.COMPLAINTS, UNLINKED, {"cards": [complaint.number]}, actor)
        event_nonconformity(
            complaint, actor, UNLINKED, {"number": nonconformity.number, "title": nonconformity.title},
        )
    return bool(deleted)


@transaction.atomic
def nonconformity_appoint(*, actor: User, nonconformity: Nonconformity, owner: User) -> Nonconformity:
    access_process_owner(actor)
    nonconformity.owner = owner
    nonconformity.version += 1
    nonconformity.save(update_fields=["owner", "version"])
    record_event(
        nonconformity, RecordEventKind.OWNER, OWNER_APPOINTED,
        {"owner": str(owner)}, actor,
    )
    return nonconformity


@transaction.atomic
def nonconformity_step(
    *, actor: User | None, nonconformity: Nonconformity, step: str, reason: str = "",
) -> Nonconformity:
    """Take a lifecycle step (lifecycle.STEPS). `actor` None: the system took it (an action's check)."""
    if actor is not None:
        access_manage(actor, nonconformity)
    nonconformity = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
    rule = STEPS[step]
    if nonconformity.state not in rule.sources:
        raise TransitionNotAllowed(
            _("A nonconformity in the state “%(state)s” cannot take this step.")
            % {"state": nonconformity.get_state_display()}
        )
    from_state = nonconformity.state
    now = timezone.now()
    nonconformity.state = rule.target
    fields = ["state", "version", "closed_at"]
    nonconformity.closed_at = now if step == CLOSE else None
    params = {"step": step, "from": from_state, "to": rule.target, "reason": reason}
    if step == REOPEN:
        fields += _reopen(nonconformity, now)
        params.update(analysis_due=str(nonconformity.analysis_due), plan_due=str(nonconformity.plan_due))
    nonconformity.version += 1
    nonconformity.save(update_fields=fields)
    record_event(nonconformity, RecordEventKind.TRANSITION, STEP, params, actor)
    return nonconformity


def _reopen(nonconformity: Nonconformity, now: datetime) -> list[str]:
    """Analysed and planned again: new dates from the reopening day, their escalation levels back to
    0 so that the sweep announces the new dates; returns the fields set."""
    nonconformity.reopened += 1
    nonconformity.reopened_at = now
    nonconformity.analysis_due, nonconformity.plan_due = stage_dues(timezone.localdate(now))
    nonconformity.analysis_level = nonconformity.plan_level = 0
    return ["reopened", "reopened_at", "analysis_due", "plan_due", "analysis_level", "plan_level"]


# What a person may change after opening it: its wording, kind and what it concerns.
CONCERNS = ("product", "component", "supplier", "department", "process", "cause")
UPDATABLE = ("title", "description", "kind", *CONCERNS)


def _shown(value) -> str:
    """A value as the timeline keeps it: codes and texts as they are, reference data and people by name."""
    return "" if value is None else str(value)


@transaction.atomic
def nonconformity_update(*, actor: User, nonconformity: Nonconformity, **fields) -> Nonconformity:
    """Change its title, description, kind or concerns (UPDATABLE); one timeline entry lists what
    changed, old and new. A closed record is reopened first; nothing changed writes nothing."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"nonconformity_update does not change {sorted(unknown)}")
    access_manage(actor, nonconformity)
    nonconformity = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
    if nonconformity.state == NonconformityState.CLOSED:
        raise TransitionNotAllowed(_("A closed nonconformity is not changed: reopen it first."))
    changes = []
    for name, value in fields.items():
        # Compared by key, so that an unchanged product or supplier is not read to be compared.
        if nonconformity.serializable_value(name) == (value.pk if isinstance(value, Model) else value):
            continue
        changes.append({"field": name, "old": _shown(getattr(nonconformity, name)), "new": _shown(value)})
        setattr(nonconformity, name, value)
    if not changes:
        return nonconformity
    nonconformity.full_clean(exclude=["number"])
    nonconformity.version += 1
    nonconformity.save(update_fields=[change["field"] for change in changes] + ["version"])
    record_event(nonconformity, RecordEventKind.CHANGED, CHANGED, {"changes": changes}, actor)
    return nonconformity


@transaction.atomic
def nonconformity_close(*, actor: User, nonconformity: Nonconformity) -> Nonconformity:
    """Closing, once the effectiveness is checked, is the head of the QMS's decision."""
    access_process_owner(actor)
    return nonconformity_step(actor=actor, nonconformity=nonconformity, step=CLOSE)


@transaction.atomic
def nonconformity_reopen(*, actor: User, nonconformity: Nonconformity, reason: str) -> Nonconformity:
    """Reopened by hand by its owner or the head of the QMS, always with the reason on the timeline."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the nonconformity is reopened.")})
    return nonconformity_step(actor=actor, nonconformity=nonconformity, step=REOPEN, reason=reason)
