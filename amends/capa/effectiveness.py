"""An action's effectiveness check, recorded with the evidence (evidence.py). Not effective: the
record reopens and the action is planned again for a new due date. Every action not cancelled
checked effective: the record is `checked`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User

from .access import access_manage
from .actions import action_dates_set, lock_record
from .choices import ActionStatus, NonconformityState, RecordEventKind
from .event_texts import CHECK_EFFECTIVE, CHECK_NOT_EFFECTIVE
from .events import record_event
from .evidence import evidence_for
from .lifecycle import CHECKED, REOPEN, STEPS
from .models import Action, EffectivenessCheck, Nonconformity
from .nonconformities import nonconformity_step, stage_dues

# Once checked or closed, a record takes no more checks (a new one reopens it by hand).
FINISHED = (NonconformityState.EFFECTIVENESS_CHECKED, NonconformityState.CLOSED)


def check_is_early(action: Action) -> bool:
    """Checked before its date: allowed, but too little time may have passed to tell."""
    return timezone.localdate() < action.check_on


def checked_effective(action: Action) -> bool:
    """Its latest check (with `checks` prefetched) found it effective."""
    checks = list(action.checks.all())
    return action.status == ActionStatus.DONE and bool(checks) and checks[-1].effective


def _all_effective(record: Nonconformity) -> bool:
    actions = list(record.actions.exclude(status=ActionStatus.CANCELLED).prefetch_related("checks"))
    return bool(actions) and all(checked_effective(action) for action in actions)


def _replan(action: Action, record: Nonconformity) -> None:
    """An action found not effective is due again by the record's new plan date (the manager
    reschedules it when planning), checked CapaSettings.effectiveness_days later."""
    today = timezone.localdate()
    due = record.plan_due if record.plan_due and record.plan_due >= today else stage_dues(today)[1]
    action.nonconformity = record
    action_dates_set(actor=None, action=action, due_date=due)


@transaction.atomic
def effectiveness_record(*, actor: User, action: Action, effective: bool, comment: str) -> EffectivenessCheck:
    access_manage(actor, action.nonconformity)
    record = lock_record(action.nonconformity_id)  # two checks at once see each other's
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.DONE:
        raise ValidationError(_("The action is not done yet: its effectiveness is checked once it is done."))
    if record.state in FINISHED:
        raise ValidationError(
            _("The nonconformity is “%(state)s”: it takes no more checks.") % {"state": record.get_state_display()}
        )
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the evidence shows.")})
    check = EffectivenessCheck.objects.create(
        action=action, effective=effective, comment=comment, evidence=evidence_for(action).as_json(),
        checked_by=actor,
    )
    record_event(
        record, RecordEventKind.CHECK, CHECK_EFFECTIVE if effective else CHECK_NOT_EFFECTIVE,
        {"action": action.description, "comment": comment}, actor,
    )
    if not effective:
        action.status, action.done_at = ActionStatus.PLANNED, None
        action.save(update_fields=["status", "done_at"])
        if record.state in STEPS[REOPEN].sources:
            record = nonconformity_step(actor=None, nonconformity=record, step=REOPEN, reason=comment)
        _replan(action, record)
    elif record.state in STEPS[CHECKED].sources and _all_effective(record):
        nonconformity_step(actor=None, nonconformity=record, step=CHECKED)
    return check
