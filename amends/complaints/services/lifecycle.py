"""The card's own data: lifecycle steps and direct edits, each change written to the timeline as old → new."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed
from amends.customers.models import Contact

from .. import access, signals
from ..access import relations
from ..choices import Channel, Origin
from ..event_texts import Params
from ..events import event_field_changes, event_transition, event_worded_note
from ..models import Complaint
from ..transitions import TRANSITIONS

# Fields whose changes are written to the timeline as old → new.
TRACKED_FIELDS = (
    "received_at", "channel", "origin", "organisation", "contact", "project", "product",
    "component", "supplier", "order_reference", "employee_concerned", "department_concerned",
    "wording", "responsible", "category", "cause", "importance", "justification", "opinion",
    "opinion_date", "actions_taken", "answer_text", "time_spent_minutes", "satisfaction",
    "loyalty", "customer_unreachable", "unreachable_note", "duplicate_of", "needs_investigation",
    "demand_presented_at", "request_type", "claim_demand", "written_confirmation_on", "written_confirmation",
)
# Fields a user may edit directly on the card (the rest change through transitions).
EDITABLE_FIELDS = (
    "received_at", "channel", "origin", "request_type", "claim_demand", "organisation", "contact", "project",
    "product", "component", "supplier", "order_reference", "employee_concerned", "department_concerned",
    "wording", "category", "importance", "needs_investigation", "demand_presented_at", "actions_taken",
    "time_spent_minutes",
)


def card_locked(complaint: Complaint, expected_version: int | None) -> Complaint:
    """The card read again and locked until commit; refused if someone changed it since `expected_version`."""
    fresh = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleObject(
            _("Someone else changed complaint %(number)s while you were editing it. "
              "Reload the card and try again.") % {"number": fresh.number}
        )
    return fresh


def _model_field(complaint: Complaint, name: str) -> Field:
    """A tracked field of the card: a column of its own, never the reverse side of a relation."""
    model_field = complaint._meta.get_field(name)
    assert isinstance(model_field, Field), name
    return model_field


def _format(complaint: Complaint, name: str, raw: Any) -> str:
    """A stored value as a person reads it on the timeline."""
    if raw is None or raw == "":
        return ""
    model_field = _model_field(complaint, name)
    if model_field.is_relation:
        related_model = model_field.related_model
        assert related_model is not None  # a tracked relation is a foreign key, to a model
        related = related_model._default_manager.filter(pk=raw).first()
        return str(related) if related else str(raw)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if isinstance(raw, datetime):
        # In ISO with its offset: the timeline shows it in each reader's format and time zone.
        return raw.isoformat(timespec="minutes")
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    return str(raw)


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        name: getattr(complaint, _model_field(complaint, name).attname)
        for name in TRACKED_FIELDS
    }


def _changed(complaint: Complaint, before: dict[str, Any]) -> list[str]:
    after = _snapshot(complaint)
    return [name for name in TRACKED_FIELDS if before[name] != after[name]]


def _record_field_changes(complaint: Complaint, before: dict[str, Any], changed: list[str], actor: User | None) -> None:
    event_field_changes(complaint, actor, [
        (name, _format(complaint, name, before[name]), _format(complaint, name, getattr(
            complaint, _model_field(complaint, name).attname)))
        for name in changed
    ])


@transaction.atomic
def complaint_transition(
    *, complaint: Complaint, name: str, actor: User | None, data: dict[str, Any] | None = None,
    comment: str = "", expected_version: int | None = None, awaits_delivery: bool = False,
) -> Complaint:
    """Take one step of the lifecycle: lock, check the table and the role, record, bump the version.
    `awaits_delivery`: the answer recorded is still on its way; its clocks are met when it leaves
    (signals.answer_delivered), not by the step."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(_("There is no action “%(name)s”.") % {"name": name})
    complaint = card_locked(complaint, expected_version)
    # actor=None is the system itself (e.g. an exact duplicate linked on arrival).
    if actor is not None and not transition.performers & relations(actor, complaint):
        raise AccessDenied(
            _("You may not “%(action)s” complaint %(number)s.")
            % {"action": transition.label, "number": complaint.number}
        )
    if (reason := transition.blocked_reason(complaint)) is not None:
        raise TransitionNotAllowed(str(reason))
    comment = comment.strip()
    if transition.requires_comment and not comment:
        raise ValidationError({"comment": _("Give the reason.")})
    before = _snapshot(complaint)
    transition.apply(complaint, data or {}, actor)
    from_state, complaint.state = complaint.state, transition.target
    complaint.version += 1
    complaint.save()
    changed = _changed(complaint, before)
    # Announced before the events are written, as the card's save always was: a deadline that
    # follows the card is retimed ahead of the change that caused it on the timeline.
    signals.complaint_changed.send(
        sender=Complaint, complaint=complaint, actor=actor,
        fields=frozenset(changed) | ({"state"} if from_state != complaint.state else set()),
    )
    _record_field_changes(complaint, before, changed, actor)
    event = event_transition(
        complaint, actor, transition=name, from_state=from_state, to_state=complaint.state, text=comment,
    )
    signals.complaint_transitioned.send(
        sender=Complaint, complaint=complaint, actor=actor, transition=name,
        from_state=from_state, to_state=complaint.state, at=event.created_at, awaits_delivery=awaits_delivery,
    )
    return complaint


@transaction.atomic
def complaint_update(
    *, complaint: Complaint, actor: User, changes: dict[str, Any], expected_version: int | None = None,
) -> Complaint:
    """Edit the card's own fields; each change is written to the timeline as old → new."""
    complaint = card_locked(complaint, expected_version)
    access.access_edit_complaint(actor, complaint)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %s") % ", ".join(sorted(unknown)))
    return _apply_changes(complaint, changes, actor)


# The classification another app may suggest and set (triage), cause included: a cause set early
# is what the decision step then confirms or changes.
CLASSIFICATION_FIELDS = ("category", "cause", "importance", "department_concerned", "product")


@transaction.atomic
def complaint_classify(*, complaint: Complaint, changes: dict[str, Any], actor: User | None) -> Complaint:
    """Set the card's classification: by a user who may edit the card, or by the system (None)."""
    complaint = card_locked(complaint, None)
    if actor is not None:
        access.access_edit_complaint(actor, complaint)
    if unknown := set(changes) - set(CLASSIFICATION_FIELDS):
        raise ValidationError(_("These fields cannot be edited here: %s") % ", ".join(sorted(unknown)))
    return _apply_changes(complaint, changes, actor)


@transaction.atomic
def complaint_update_as_system(
    *, complaint: Complaint, changes: dict[str, Any], note_code: str, note_params: Params,
) -> Complaint:
    """Edit the card's own fields as the system (actor None: a rule decided, e.g. triage's flags),
    each change on the timeline with a note saying why (`note_code`, worded by the renderer its app
    registered). Nothing is written when nothing changes."""
    complaint = card_locked(complaint, None)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %s") % ", ".join(sorted(unknown)))
    version = complaint.version
    complaint = _apply_changes(complaint, changes, None)
    if complaint.version != version:
        event_worded_note(complaint, None, note_code, note_params)
    return complaint


@transaction.atomic
def complaint_contact_set(*, complaint: Complaint, contact: Contact, actor: User | None) -> Complaint:
    """Move the card to another contact person, as an edit would, for a caller that has checked
    why (an operator's confirmation, or None: the customer proved their address)."""
    return _apply_changes(card_locked(complaint, None), {"contact": contact}, actor)


def _apply_changes(complaint: Complaint, changes: dict[str, Any], actor: User | None) -> Complaint:
    before = _snapshot(complaint)
    for name, value in changes.items():
        setattr(complaint, name, value)
    # The same rules as at registration.
    if complaint.channel == Channel.INTERNAL:
        complaint.origin = Origin.INTERNAL
    if "contact" in changes and "organisation" not in changes and complaint.contact is not None:
        complaint.organisation = complaint.contact.organisation
    complaint.full_clean()
    changed = _changed(complaint, before)
    _record_field_changes(complaint, before, changed, actor)
    if changed:
        complaint.version += 1
        complaint.save()
        signals.complaint_changed.send(sender=Complaint, complaint=complaint, actor=actor, fields=frozenset(changed))
    return complaint
