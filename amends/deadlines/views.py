"""Thin views: the card's deadline forms (each calls one service) and "my deadlines"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints.access import EDIT, access_writer
from amends.complaints.card_page import card_for_request, card_render, form_errors_add
from amends.complaints.models import Complaint

from . import services
from .choices import ClockStatus
from .forms import ExtensionForm, PresetForm, WaitingForm
from .models import Clock
from .selectors import my_deadlines, my_messages_after_answer, unassigned_cards

# "My deadlines" shows the worst first; within a group, the nearest due first.
GROUP_ORDER = (ClockStatus.BREACHED, ClockStatus.AT_RISK, ClockStatus.ON_TRACK, ClockStatus.PAUSED)


def _deadline_form_post(request, complaint: Complaint, form, write, done: str):
    """Like the card's other forms: on valid input call one service and go back to the card;
    a refusal shows the card again (400) with this form open and the service's message."""
    if form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, done)
            return redirect("complaints:detail", number=complaint.number)
    return card_render(request, complaint, 400, {form.prefix: form})


@login_required
@require_POST
def waiting_start(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, EDIT)  # refused before the form is read
    return _deadline_form_post(
        request, complaint, WaitingForm(request.POST),
        lambda reason: services.waiting_start(complaint=complaint, actor=request.user, reason=reason),
        _("The card waits for the customer; its deadlines are paused."),
    )


@login_required
@require_POST
def waiting_end(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, EDIT)  # refused before the form is read
    if services.waiting_end(complaint=complaint, actor=request.user) is None:
        messages.info(request, _("The card was not waiting for the customer."))
    else:
        messages.success(request, _("No longer waiting for the customer: the deadlines run again."))
    return redirect("complaints:detail", number=number)


@login_required
@require_POST
def preset_choose(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, EDIT)  # refused before the form is read
    return _deadline_form_post(
        request, complaint, PresetForm(request.POST),
        lambda preset: services.card_preset_choose(complaint=complaint, actor=request.user, preset=preset),
        _("The card follows the statutory terms now."),
    )


@login_required
@require_POST
def clock_extend(request, number: str, pk: int):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, EDIT)
    clock = get_object_or_404(Clock, pk=pk, complaint=complaint)
    return _deadline_form_post(
        request, complaint, ExtensionForm(request.POST, clock_id=clock.pk),
        lambda reason: services.clock_extend(clock=clock, actor=request.user, reason=reason),
        _("The deadline is extended."),
    )


@login_required
def deadlines_mine(request):
    deadlines = my_deadlines(request.user)
    groups = [
        (ClockStatus(status).label, status, [d for d in deadlines if d.status == status])
        for status in GROUP_ORDER
    ]
    return render(request, "deadlines/mine.html", {
        "groups": [group for group in groups if group[2]], "total": len(deadlines),
        "messages_after_answer": list(my_messages_after_answer(request.user)),
        "unassigned": unassigned_cards(request.user),
    })
