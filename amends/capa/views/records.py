"""Thin views of the register and the record's own forms: parse, call one service, show the page again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints import access as card_access
from amends.complaints.card_page import form_errors_add
from amends.complaints.models import Complaint

from .. import nonconformities as services
from ..access import access_manage, access_process_owner, can_see_nonconformities_in_request, is_process_owner
from ..choices import Source
from ..forms.records import (
    AppointForm,
    CloseForm,
    LinkForm,
    NonconformityOpenForm,
    RecordEditForm,
    RegisterFilterForm,
    ReopenForm,
)
from ..lifecycle import CLOSE, REOPEN
from ..record_page import record_for_request, record_form_post, record_render
from ..selectors import nonconformity_register

PAGE_SIZE = 25
TAB = "records"


def _visible_cards(request) -> QuerySet[Complaint]:
    return Complaint.objects.filter(card_access.relations_filter(request.user))


@login_required
def register(request):
    if not can_see_nonconformities_in_request(request.user):
        raise PermissionDenied(_("The nonconformities are seen by those who oversee quality and their owners."))
    form = RegisterFilterForm(request.GET or None)
    form.is_valid()  # a bad filter is shown with its error and left out, the others still apply
    filters = getattr(form, "cleaned_data", {})
    records = nonconformity_register(request.user, **filters)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "capa/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_open": is_process_owner(request.user),
        "tab": TAB,
    })


@login_required
def new(request):
    access_process_owner(request.user)
    form = NonconformityOpenForm(request.POST or None, visible=_visible_cards(request))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.nonconformity_open(actor=request.user, source=Source.MANUAL, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Nonconformity %(number)s opened.") % {"number": record.number})
            return redirect("capa:record", number=record.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "capa/new.html", {"form": form, "tab": TAB}, status=status)


@login_required
def record(request, number: str):
    return record_render(request, record_for_request(request, number))


@login_required
@require_POST
def appoint(request, number: str):
    nonconformity = record_for_request(request, number)
    access_process_owner(request.user)
    return record_form_post(
        request, nonconformity, AppointForm(request.POST), "appoint",
        lambda owner: services.nonconformity_appoint(actor=request.user, nonconformity=nonconformity, owner=owner),
        _("Owner appointed."),
    )


@login_required
@require_POST
def step(request, number: str, step: str):
    """The steps the record's page takes itself: close, and reopen by hand (the others are taken in
    the root cause's and the actions' sections)."""
    nonconformity = record_for_request(request, number)
    if step == CLOSE:
        access_process_owner(request.user)
        return record_form_post(
            request, nonconformity, CloseForm(request.POST), "close",
            lambda: services.nonconformity_close(actor=request.user, nonconformity=nonconformity),
            _("Nonconformity closed."),
        )
    if step == REOPEN:
        access_manage(request.user, nonconformity)
        return record_form_post(
            request, nonconformity, ReopenForm(request.POST), "reopen",
            lambda reason: services.nonconformity_reopen(
                actor=request.user, nonconformity=nonconformity, reason=reason,
            ),
            _("Nonconformity reopened."),
        )
    raise Http404(_("No such step"))


@login_required
@require_POST
def edit(request, number: str):
    nonconformity = record_for_request(request, number)
    access_manage(request.user, nonconformity)
    return record_form_post(
        request, nonconformity, RecordEditForm(request.POST, record=nonconformity), "edit",
        lambda **fields: services.nonconformity_update(actor=request.user, nonconformity=nonconformity, **fields),
        _("Nonconformity saved."),
    )


@login_required
@require_POST
def link(request, number: str):
    nonconformity = record_for_request(request, number)
    access_manage(request.user, nonconformity)
    return record_form_post(
        request, nonconformity, LinkForm(request.POST, visible=_visible_cards(request)), "link",
        lambda complaints: services.nonconformity_link(
            actor=request.user, nonconformity=nonconformity, complaints=complaints,
        ),
        _("Complaints linked."),
    )


@login_required
@require_POST
def unlink(request, number: str, card: str):
    nonconformity = record_for_request(request, number)
    complaint = get_object_or_404(
        _visible_cards(request), number=card, nonconformity_links__nonconformity=nonconformity,
    )
    card_access.access_writer(request.user, complaint, card_access.NONCONFORMITY)
    services.nonconformity_unlink(actor=request.user, nonconformity=nonconformity, complaint=complaint)
    messages.success(request, _("Complaint %(number)s unlinked.") % {"number": complaint.number})
    return redirect("capa:record", number=nonconformity.number)
