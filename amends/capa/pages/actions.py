"""The record's "actions" section: its actions with their reports and checks, the manager's plan
form and "plan complete", each owner's report form, and the check form with its evidence."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms as django_forms
from django.utils import timezone

from ..access import can_manage
from ..actions import OPEN_STATUSES, PLANNABLE, default_check_on
from ..choices import ActionStatus
from ..effectiveness import FINISHED, check_is_early
from ..evidence import Evidence, evidence_for_actions
from ..forms.actions import CancelForm, CheckForm, PlanForm, ReportForm, RescheduleForm
from ..lifecycle import PLAN, STEPS
from ..models import Action
from ..record_page import register_section


# The due date the plan form offers: two weeks is a usual first step.
DEFAULT_DUE = timedelta(days=14)


@dataclass
class ActionRow:
    action: Action
    checks: list[tuple[Any, Evidence]]
    forms: dict[str, django_forms.Form] = field(default_factory=dict)
    evidence: Evidence | None = None
    early: bool = False


def _row(action: Action, user, manages: bool, finished: bool, bound, evidence: dict[int, Evidence]) -> ActionRow:
    pk = action.pk
    row = ActionRow(action, [(check, Evidence.from_json(check.evidence)) for check in action.checks.all()])

    def offer(name: str, form_class: type[django_forms.Form]) -> None:
        row.forms[name] = bound.get(f"{name}-{pk}") or form_class(action_id=pk)

    if action.status in OPEN_STATUSES:
        if manages or action.owner_id == user.pk:
            offer("report", ReportForm)
        if manages:
            offer("reschedule", RescheduleForm)
            offer("cancel", CancelForm)
    elif action.status == ActionStatus.DONE and manages and not finished:
        offer("check", CheckForm)
        row.evidence = evidence.get(pk)
        row.early = check_is_early(action)
    return row


def actions_section(request, record, bound) -> dict:
    user = request.user
    manages = can_manage(user, record)
    actions = list(record.actions.select_related("owner").prefetch_related("checks__checked_by"))
    finished = record.state in FINISHED
    evidence = evidence_for_actions(record, actions) if manages and not finished else {}
    plannable = manages and record.state in PLANNABLE
    due = timezone.localdate() + DEFAULT_DUE
    return {
        "action_rows": [_row(action, user, manages, finished, bound, evidence) for action in actions],
        "plan_form": (bound.get("action_plan") or PlanForm(initial={"due_date": due, "check_on": default_check_on(due)}))
        if plannable else None,
        "can_complete_plan": manages and record.state in STEPS[PLAN].sources,
    }


def register() -> None:
    register_section("actions", "capa/actions.html", order=40, context=actions_section)
