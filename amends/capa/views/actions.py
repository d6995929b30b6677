"""Thin views of the record's "actions" section: each reads one form and calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.core.errors import AccessDenied, TransitionNotAllowed

from .. import actions as services
from ..access import access_manage, can_manage
from ..effectiveness import effectiveness_record
from ..forms.actions import CancelForm, CheckForm, PlanForm, ReportForm, RescheduleForm
from ..models import Action, Nonconformity
from ..record_page import record_for_request, record_form_post


def _action_of(request, number: str, pk: int) -> tuple[Nonconformity, Action]:
    record = record_for_request(request, number)
    return record, get_object_or_404(Action.objects.select_related("nonconformity"), pk=pk, nonconformity=record)


@login_required
@require_POST
def action_plan(request, number: str):
    record = record_for_request(request, number)
    access_manage(request.user, record)  # refused before the form is read
    return record_form_post(
        request, record, PlanForm(request.POST), "action_plan",
        lambda **data: services.action_plan(actor=request.user, nonconformity=record, **data),
        _("Action planned."),
    )


@login_required
@require_POST
def plan_complete(request, number: str):
    record = record_for_request(request, number)
    access_manage(request.user, record)
    try:
        services.plan_complete(actor=request.user, nonconformity=record)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The plan is complete."))
    return redirect("capa:record", number=record.number)


@login_required
@require_POST
def action_report(request, number: str, pk: int):
    record, action = _action_of(request, number, pk)
    if action.owner_id != request.user.pk and not can_manage(request.user, record):
        raise AccessDenied(_("Only the owner of the action or of the nonconformity reports on it."))
    return record_form_post(
        request, record, ReportForm(request.POST, action_id=pk), f"report-{pk}",
        lambda **data: services.action_report(actor=request.user, action=action, **data),
        _("Report saved."),
    )


def _managed_action_post(request, number: str, pk: int, form_class, name: str, service, done: str):
    """A manager's form on one action: refused (403) before the form is read when the user manages nothing."""
    record, action = _action_of(request, number, pk)
    access_manage(request.user, record)
    return record_form_post(
        request, record, form_class(request.POST, action_id=pk), f"{name}-{pk}",
        lambda **data: service(actor=request.user, action=action, **data), done,
    )


@login_required
@require_POST
def action_cancel(request, number: str, pk: int):
    return _managed_action_post(request, number, pk, CancelForm, "cancel", services.action_cancel,
                                _("Action cancelled."))


@login_required
@require_POST
def action_reschedule(request, number: str, pk: int):
    return _managed_action_post(request, number, pk, RescheduleForm, "reschedule", services.action_reschedule,
                                _("New due date set."))


@login_required
@require_POST
def action_check(request, number: str, pk: int):
    return _managed_action_post(request, number, pk, CheckForm, "check", effectiveness_record,
                                _("Effectiveness check recorded."))
