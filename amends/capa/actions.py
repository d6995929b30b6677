"""Corrective and preventive actions: planned with an owner, a due date and the date of their
effectiveness check (default CapaSettings.effectiveness_days after the due date)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.models import Measure
from amends.core.errors import AccessDenied

from .access import access_manage, can_manage
from .choices import ActionKind, ActionStatus, NonconformityState, RecordEventKind
from .event_texts import ACTION_CANCELLED, ACTION_DONE, ACTION_PLANNED, ACTION_REPORTED, ACTION_RESCHEDULED
from .events import record_event
from .lifecycle import ACTIONS_DONE, PLAN, STEPS
from .models import Action, CapaSettings, Nonconformity
from .nonconformities import nonconformity_step

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


# An action still to be done; a done or cancelled one is reported no more.
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


def _all_done(nonconformity: Nonconformity) -> bool:
    statuses = set(nonconformity.actions.exclude(status=ActionStatus.CANCELLED).values_list("status", flat=True))
    return statuses == {ActionStatus.DONE}


def _take_actions_done_when_all_are(nonconformity: Nonconformity) -> Nonconformity:
    """The record takes `actions_done` itself once the plan is complete and every action not cancelled is done."""
    nonconformity.refresh_from_db(fields=["state"])
    if nonconformity.state in STEPS[ACTIONS_DONE].sources and _all_done(nonconformity):
        return nonconformity_step(actor=None, nonconformity=nonconformity, step=ACTIONS_DONE)
    return nonconformity


@transaction.atomic
def plan_complete(*, actor: User, nonconformity: Nonconformity) -> Nonconformity:
    """The manager says the plan is complete (step `plan`): it needs at least one action not cancelled."""
    access_manage(actor, nonconformity)
    if not nonconformity.actions.exclude(status=ActionStatus.CANCELLED).exists():
        raise ValidationError(_("Plan at least one action before completing the plan."))
    nonconformity = nonconformity_step(actor=actor, nonconformity=nonconformity, step=PLAN)
    return _take_actions_done_when_all_are(nonconformity)


def lock_record(nonconformity_id: int) -> Nonconformity:
    """The record's row locked first, so that two actions ended at once see each other's end."""
    return Nonconformity.objects.select_for_update().get(pk=nonconformity_id)


def _locked_open_action(action: Action) -> Action:
    lock_record(action.nonconformity_id)
    action = Action.objects.select_for_update().select_related("nonconformity").get(pk=action.pk)
    if action.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The action is “%(status)s”: it is reported no more.") % {"status": action.get_status_display()}
        )
    return action


@transaction.atomic
def action_report(*, actor: User, action: Action, report: str, done: bool = False) -> Action:
    """The action's owner (or the record's manager) reports on it; `done` ends it."""
    if action.owner_id != actor.pk and not can_manage(actor, action.nonconformity):
        raise AccessDenied(_("Only the owner of the action or of the nonconformity reports on it."))
    report = report.strip()
    if not report:
        raise ValidationError({"report": _("Say what was done.")})
    action = _locked_open_action(action)
    action.report = report
    action.status = ActionStatus.DONE if done else ActionStatus.IN_PROGRESS
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["report", "status", "done_at"])
    record_event(
        action.nonconformity, RecordEventKind.ACTION, ACTION_DONE if done else ACTION_REPORTED,
        {"action": action.description, "report": report}, actor,
    )
    if done:
        _take_actions_done_when_all_are(action.nonconformity)
    return action


@transaction.atomic
def action_cancel(*, actor: User, action: Action, reason: str) -> Action:
    access_manage(actor, action.nonconformity)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    action = _locked_open_action(action)
    action.status = ActionStatus.CANCELLED
    action.save(update_fields=["status"])
    record_event(
        action.nonconformity, RecordEventKind.ACTION, ACTION_CANCELLED,
        {"action": action.description, "reason": reason}, actor,
    )
    _take_actions_done_when_all_are(action.nonconformity)
    return action


@transaction.atomic
def action_reschedule(*, actor: User, action: Action, due_date: date, check_on: date | None = None) -> Action:
    """A new due date (and check date) for an action still to be done, e.g. one found not effective."""
    access_manage(actor, action.nonconformity)
    action = _locked_open_action(action)
    return action_dates_set(actor=actor, action=action, due_date=due_date, check_on=check_on)


def action_dates_set(*, actor: User | None, action: Action, due_date: date, check_on: date | None = None) -> Action:
    """New dates for an action locked by the caller (a reschedule, or a check that found it not
    effective, actor None): their escalation levels go back to 0 so that the sweep announces them."""
    check_on = check_on or default_check_on(due_date)
    errors = action_errors(due_date=due_date, check_on=check_on, state=action.nonconformity.state)
    if errors:
        raise ValidationError(errors)
    action.due_date, action.check_on = due_date, check_on
    action.due_level = action.check_level = 0
    action.rescheduled_at = timezone.now()
    action.save(update_fields=["due_date", "check_on", "due_level", "check_level", "rescheduled_at"])
    record_event(action.nonconformity, RecordEventKind.ACTION, ACTION_RESCHEDULED, {
        "action": action.description, "due": due_date.isoformat(), "check_on": check_on.isoformat(),
    }, actor)
    return action
