"""Thin views of the root cause section's forms, and the record's print page and PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.answers.documents import DocumentError
from amends.core.errors import AccessDenied

from .. import root_cause as services
from ..access import can_manage
from ..documents import nonconformity_pdf, record_print_context
from ..forms.root_cause import AnalysisForm, FishboneCauseForm, WhysForm
from ..models import FishboneCause, Nonconformity
from ..record_page import record_for_request, record_form_post

PDF = "application/pdf"


def _managed(request, number: str) -> Nonconformity:
    """The record for one who analyses it: a stranger gets 404, one who only sees it 403, before any form is read."""
    record = record_for_request(request, number)
    if not can_manage(request.user, record):
        raise PermissionDenied(_("Only the owner of the nonconformity or the head of the QMS analyses its root cause."))
    return record


def _back(record: Nonconformity):
    return redirect("capa:record", number=record.number)


@login_required
@require_POST
def whys(request, number: str):
    record = _managed(request, number)
    form = WhysForm(request.POST)
    return record_form_post(
        request, record, form, "whys",
        lambda **_data: services.whys_save(actor=request.user, nonconformity=record, steps=form.steps()),
        _("The 5 Whys are saved."),
    )


@login_required
@require_POST
def fishbone_add(request, number: str):
    record = _managed(request, number)
    return record_form_post(
        request, record, FishboneCauseForm(request.POST), "fishbone",
        lambda **data: services.fishbone_add(actor=request.user, nonconformity=record, **data),
        _("The cause is on the fishbone."),
    )


def _cause_change(request, number: str, pk: int, change, done: str):
    record = _managed(request, number)
    cause = get_object_or_404(FishboneCause.objects.select_related("nonconformity"), nonconformity=record, pk=pk)
    try:
        change(cause)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except AccessDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(record)


@login_required
@require_POST
def fishbone_remove(request, number: str, pk: int):
    return _cause_change(
        request, number, pk, lambda cause: services.fishbone_remove(actor=request.user, cause=cause),
        _("The cause is removed from the fishbone."),
    )


@login_required
@require_POST
def fishbone_confirm(request, number: str, pk: int):
    is_root = request.POST.get("is_root") == "1"
    return _cause_change(
        request, number, pk,
        lambda cause: services.fishbone_confirm(actor=request.user, cause=cause, is_root=is_root),
        _("Marked as a root cause.") if is_root else _("No longer marked as a root cause."),
    )


@login_required
@require_POST
def analysis(request, number: str):
    record = _managed(request, number)
    return record_form_post(
        request, record, AnalysisForm(request.POST), "analysis",
        lambda root_cause: services.analysis_complete(actor=request.user, nonconformity=record, root_cause=root_cause),
        _("The root cause is stated: the nonconformity is analysed."),
    )


@login_required
def print_page(request, number: str):
    return render(request, "capa/print.html", record_print_context(record_for_request(request, number)))


@login_required
def pdf(request, number: str):
    record = record_for_request(request, number)
    try:
        content = nonconformity_pdf(record)
    except DocumentError as error:  # a character the fonts lack, no Pango: said on the record's page
        messages.error(request, str(error))
        return _back(record)
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(False, f"{record.number}.pdf") or "inline"
    return response
