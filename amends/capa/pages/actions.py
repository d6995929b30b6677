"""The record's "actions" section: its actions with their reports and checks, the manager's plan
form and "plan complete", each owner's report form, and the check form with its evidence."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import can_manage
from ..actions import OPEN_STATUSES, PLANNABLE
from ..choices import ActionStatus
from ..effectiveness import FINISHED, check_is_early, checked_effective
from ..evidence import Evidence, evidence_for_actions
from ..forms.actions import ActionForm, CancelForm, CheckForm, PlanForm, ReportForm, RescheduleForm
from ..lifecycle import PLAN, STEPS
from ..models import Action, EffectivenessCheck
from ..record_page import register_section

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The due date the plan form offers: two weeks is a usual first step.
DEFAULT_DUE = timedelta(days=14)


@dataclass(frozen=True)
class OfferedForm:
    form: ActionForm
    url: str
    summary: "StrOrPromise"
    button: "StrOrPromise"


@dataclass
class ActionRow:
    action: Action
    checks: list[tuple[EffectivenessCheck, Evidence | None]]
    forms: list[OfferedForm] = field(default_factory=list)
    check_form: ActionForm | None = None
    evidence: Evidence | None = None
    early: bool = False


# The forms on an action still to be done (name, form, URL name, summary, button):
# the manager gets them all, the action's owner the first.
OPEN_ACTION_FORMS = (
    ("report", ReportForm, "capa:action_report", _("Report on the action"), _("Save the report")),
    ("reschedule", RescheduleForm, "capa:action_reschedule", _("Set a new due date"), _("Save the dates")),
    ("cancel", CancelForm, "capa:action_cancel", _("Cancel the action"), _("Cancel the action")),
)


def _row(action: Action, user, manages: bool, finished: bool, bound, evidence: dict[int, Evidence]) -> ActionRow:
    pk = action.pk
    row = ActionRow(action, [
        (check, Evidence.from_json(check.evidence) if check.evidence else None) for check in action.checks.all()
    ])

    if action.status in OPEN_STATUSES:
        offered = OPEN_ACTION_FORMS if manages else OPEN_ACTION_FORMS[:1] if action.owner_id == user.pk else ()
        row.forms = [
            OfferedForm(bound.get(f"{name}-{pk}") or form_class(action_id=pk),
                        reverse(url, args=[action.nonconformity.number, pk]), summary, button)
            for name, form_class, url, summary, button in offered
        ]
    elif action.status == ActionStatus.DONE and manages and not finished and not checked_effective(action):
        row.check_form = bound.get(f"check-{pk}") or CheckForm(action_id=pk)
        row.evidence = evidence.get(pk)
        row.early = check_is_early(action)
    return row


def actions_section(request, record, bound) -> dict:
    user = request.user
    manages = can_manage(user, record)
    actions = list(record.actions.select_related("owner", "nonconformity").prefetch_related("checks__checked_by"))
    finished = record.state in FINISHED
    evidence = evidence_for_actions(record, actions) if manages and not finished else {}
    plannable = manages and record.state in PLANNABLE
    due = timezone.localdate() + DEFAULT_DUE
    return {
        "action_rows": [_row(action, user, manages, finished, bound, evidence) for action in actions],
        "plan_form": (bound.get("action_plan") or PlanForm(initial={"due_date": due})) if plannable else None,
        "can_complete_plan": manages and record.state in STEPS[PLAN].sources,
    }


def register() -> None:
    register_section("actions", "capa/actions.html", order=40, context=actions_section)
