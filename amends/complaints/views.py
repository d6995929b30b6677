"""Thin views: parse the form, call one service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.access import access_register_complaint, can_register_complaint
from amends.core.errors import StaleObject, TransitionNotAllowed
from amends.customers.services import contact_create

from . import access, selectors, services
from .card_page import card_for_request, card_form_post, card_render, form_errors_add
from .forms import (
    AttachmentForm,
    CallLogForm,
    ComplaintEditForm,
    ComplaintFilterForm,
    InternalComplaintForm,
    MeasureForm,
    MeasureReportForm,
    NoteForm,
    RegisterForm,
    TransitionForm,
)
from .list_page import FILTERS, list_columns
from .models import Attachment, Complaint, Measure
from .register_page import register_form_parts
from .transitions import TRANSITIONS

PAGE_SIZE = 25


@login_required
def complaint_list(request):
    form = ComplaintFilterForm(request.GET or None)
    filters = form.to_filter() if request.GET else selectors.ComplaintFilter()
    page = Paginator(selectors.complaint_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(request, "complaints/list.html", {
        "form": form, "page": page, "sort": filters.sort, "query": query.urlencode(),
        "more_filters_used": any(
            request.GET.get(name) for name in form.fields if name not in ("q", "state", "sort", *FILTERS)
        ),
        "columns": list_columns(),
        "can_register": can_register_complaint(request.user),
    })


@login_required
def complaint_register(request):
    access_register_complaint(request.user)
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = data["contact"]
            if contact is None and data["full_name"]:
                contact = contact_create(
                    full_name=data["full_name"], phone=data["phone"], email=data["email"],
                    address=data["address"], organisation_name=data["organisation_name"],
                )
            complaint = services.complaint_register(
                actor=request.user, channel=data["channel"], received_at=data["received_at"],
                contact=contact, wording=data["wording"], product=data["product"],
                order_reference=data["order_reference"], category=data["category"],
                importance=data["importance"], employee_concerned=data["employee_concerned"],
                department_concerned=data["department_concerned"],
                attachments=data["attachments"], duplicates="now",
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("Complaint %(number)s registered. Tell the customer this number.")
                % {"number": complaint.number},
            )
            return redirect("complaints:detail", number=complaint.number)
    chosen_contact = form.cleaned_data.get("contact") if form.is_bound else None
    return render(
        request, "complaints/register.html",
        {"form": form, "chosen_contact": chosen_contact, "register_parts": register_form_parts()},
        status=400 if form.errors else 200,
    )


@login_required
def complaint_file_internal(request):
    form = InternalComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_file_internal(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("Internal complaint %(number)s is filed and sent to the head of the QMS.")
                % {"number": complaint.number},
            )
            return redirect("complaints:detail", number=complaint.number)
    return render(request, "complaints/internal.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def complaint_detail(request, number: str):
    return card_render(request, card_for_request(request, number))


@login_required
def complaint_print(request, number: str):
    complaint = card_for_request(request, number)
    return render(request, "complaints/print.html", {
        "complaint": complaint,
        "measures": complaint.measures.select_related("executor", "approved_by"),
        "executors": sorted({m.executor for m in complaint.measures.select_related("executor")}, key=str),
    })


@login_required
@require_POST
def complaint_transition(request, number: str, name: str):
    complaint = card_for_request(request, number)
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    form = TransitionForm(transition, complaint, request.POST)
    if not form.is_valid():
        return card_render(request, complaint, 400, {name: form})
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "comment")}
    try:
        complaint = services.complaint_transition(
            complaint=complaint, name=name, actor=request.user, data=data,
            comment=form.cleaned_data["comment"], expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        form_errors_add(form, error)
        return card_render(request, complaint, 400, {name: form})
    except (StaleObject, TransitionNotAllowed) as error:
        form.add_error(None, str(error))
        return card_render(request, complaint, 409, {name: form})
    messages.success(request, _("%(action)s: done. The card is now “%(state)s”.") % {
        "action": transition.label, "state": complaint.get_state_display(),
    })
    return redirect("complaints:detail", number=complaint.number)


@login_required
def complaint_edit(request, number: str):
    complaint = card_for_request(request, number)
    access.access_edit_complaint(request.user, complaint)
    if request.method != "POST":
        return redirect("complaints:detail", number=number)
    form = ComplaintEditForm(request.POST, instance=Complaint.objects.get(pk=complaint.pk))
    if not form.is_valid():
        return card_render(request, complaint, 400, {"edit": form})
    changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        services.complaint_update(
            complaint=complaint, actor=request.user, changes=changes,
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        form_errors_add(form, error)
        return card_render(request, complaint, 400, {"edit": form})
    except StaleObject as error:
        form.add_error(None, str(error))
        return card_render(request, complaint, 409, {"edit": form})
    messages.success(request, _("The card is saved."))
    return redirect("complaints:detail", number=number)


@login_required
@require_POST
def complaint_note(request, number: str):
    complaint = card_for_request(request, number)
    access.access_writer(request.user, complaint, access.NOTE)  # refused before the form is read
    return card_form_post(
        request, complaint, NoteForm(request.POST), "note",
        lambda text: services.complaint_add_note(complaint=complaint, actor=request.user, text=text),
    )


@login_required
@require_POST
def complaint_attach(request, number: str):
    complaint = card_for_request(request, number)
    access.access_writer(request.user, complaint, access.ATTACHMENT)  # refused before the form is read
    return card_form_post(
        request, complaint, AttachmentForm(request.POST, request.FILES), "attachment",
        lambda file: services.complaint_attach(complaint=complaint, actor=request.user, upload=file),
        _("File attached."),
    )


@login_required
@require_POST
def complaint_log_call(request, number: str):
    complaint = card_for_request(request, number)
    access.access_writer(request.user, complaint, access.CALL)  # refused before the form is read
    return card_form_post(
        request, complaint, CallLogForm(request.POST), "call",
        lambda text: services.complaint_log_call(complaint=complaint, actor=request.user, text=text),
        _("The call is on the timeline."),
    )


@login_required
def attachment_download(request, number: str, pk: int):
    complaint = card_for_request(request, number)
    attachment = get_object_or_404(Attachment, pk=pk, complaint=complaint)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
@require_POST
def measure_add(request, number: str):
    complaint = card_for_request(request, number)
    return card_form_post(
        request, complaint, MeasureForm(request.POST), "measure",
        lambda **data: services.measure_add(complaint=complaint, actor=request.user, **data),
    )


@login_required
@require_POST
def measure_remove(request, number: str, pk: int):
    complaint = card_for_request(request, number)
    measure = get_object_or_404(Measure, pk=pk, complaint=complaint)
    try:
        services.measure_remove(measure=measure, actor=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    return redirect("complaints:detail", number=number)


@login_required
@require_POST
def measure_report(request, number: str, pk: int):
    complaint = card_for_request(request, number)
    measure = get_object_or_404(Measure, pk=pk, complaint=complaint)
    form = MeasureReportForm(request.POST)
    if form.is_valid():
        try:
            services.measure_report(measure=measure, actor=request.user, report=form.cleaned_data["report"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Describe what was done."))
    return redirect("complaints:detail", number=number)
