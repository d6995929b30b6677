"""Corrective and preventive actions: planned with an owner, a due date and the date of their
effectiveness check (default CapaSettings.effectiveness_days after the due date)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.models import Measure

from .access import access_manage
from .choices import ActionKind, NonconformityState, RecordEventKind
from .event_texts import ACTION_PLANNED
from .events import record_event
from .models import Action, CapaSettings, Nonconformity

# Actions are planned until the owner says the plan is complete; a reopened record takes new ones.
PLANNABLE = frozenset({NonconformityState.OPEN, NonconformityState.ANALYSED, NonconformityState.ACTIONS_PLANNED})


def default_check_on(due_date: date) -> date:
    return due_date + timedelta(days=CapaSettings.current().effectiveness_days)


def action_errors(*, due_date: date, check_on: date, state: str) -> dict[str, str]:
    errors = {}
    if state not in PLANNABLE:
        errors["__all__"] = _("Actions are planned while the nonconformity is open, analysed or being planned.")
    if due_date < timezone.localdate():
        errors["due_date"] = _("The due date has passed: choose today or a later day.")
    if check_on <= due_date:
        errors["check_on"] = _("The effectiveness check comes after the action is due.")
    return errors


def action_create(
    *, actor: User | None, nonconformity: Nonconformity, description: str, owner: User, due_date: date,
    kind: str = ActionKind.CORRECTIVE, check_on: date | None = None, measure: Measure | None = None,
) -> Action:
    """Plan an action once the caller has checked who may: the record's manager (action_plan), or
    the card's people promoting its measure."""
    check_on = check_on or default_check_on(due_date)
    errors = action_errors(due_date=due_date, check_on=check_on, state=nonconformity.state)
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        nonconformity=nonconformity, kind=kind, description=description, owner=owner, due_date=due_date,
        check_on=check_on, measure=measure, created_by=actor,
    )
    record_event(nonconformity, RecordEventKind.ACTION, ACTION_PLANNED, {
        "kind": kind, "action": description, "owner": str(owner), "due": due_date.isoformat(),
        "check_on": check_on.isoformat(),
    }, actor)
    return action


@transaction.atomic
def action_plan(
    *, actor: User, nonconformity: Nonconformity, description: str, owner: User, due_date: date,
    kind: str = ActionKind.CORRECTIVE, check_on: date | None = None,
) -> Action:
    access_manage(actor, nonconformity)
    return action_create(
        actor=actor, nonconformity=nonconformity, description=description, owner=owner, due_date=due_date,
        kind=kind, check_on=check_on,
    )
