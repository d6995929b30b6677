"""Thin views: parse the form, call one service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amends.accounts.access import access_register_complaint, can_register_complaint
from amends.core.errors import StaleObject, TransitionNotAllowed
from amends.core.links import absolute_url
from amends.customers.services import contact_create

from . import access, selectors, services
from .card_page import card_for_request, card_form_post, card_render, form_errors_add, fragment_render
from .choices import State
from .forms import (
    AttachmentForm,
    BulkAssignForm,
    CallLogForm,
    ComplaintEditForm,
    ComplaintFilterForm,
    CustomerCorrectForm,
    InternalComplaintForm,
    KeepClosedForm,
    MeasureForm,
    MeasureReportForm,
    NoteForm,
    RegisterForm,
    SavedFilterForm,
    TransitionForm,
    WrittenConfirmationForm,
    form_error_text,
    list_query,
    quick_forms,
)
from .list_page import COUNT_LIMIT, FILTERS, BoundedPaginator, list_actions, list_columns, list_tools
from .models import Attachment, Complaint, Measure
from .register_page import register_form_parts
from .transitions import TRANSITIONS

PAGE_SIZE = 25


@login_required
def complaint_list(request):
    form = ComplaintFilterForm(request.GET or None)
    filters = form.to_filter() if request.GET else selectors.ComplaintFilter(set_aside=False)
    page = BoundedPaginator(
        selectors.complaint_list(request.user, filters), PAGE_SIZE, COUNT_LIMIT,
        rows=lambda keys: selectors.complaint_list_rows(request.user, keys),
        short=selectors.complaint_list_short(filters),
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    toggled = query.copy()
    if filters.set_aside:
        toggled.pop("set_aside", None)
    else:
        toggled["set_aside"] = "on"
    return render(request, "complaints/list.html", {
        "form": form, "page": page, "sort": filters.sort, "query": query.urlencode(),
        "set_aside": _set_aside_cards(selectors.complaint_list_set_aside(request.user, filters)),
        "set_aside_shown": filters.set_aside, "set_aside_toggle": toggled.urlencode(),
        "more_filters_used": any(
            request.GET.get(name) for name in form.fields
            if name not in ("q", "state", "mine", "sort", "set_aside", *FILTERS)
        ),
        "columns": list_columns(),
        "can_register": can_register_complaint(request.user),
        **_list_tools(request),
    })


def _set_aside_cards(counts: dict[str, int]) -> str:
    """"37 duplicates and 5 withdrawn": the cards the list's count leaves out or takes in; "" for none."""
    parts = [
        text % {"count": counts[state]}
        for state, text in (
            (State.DUPLICATE, ngettext("%(count)d duplicate", "%(count)d duplicates", counts.get(State.DUPLICATE, 0))),
            (State.WITHDRAWN, ngettext("%(count)d withdrawn", "%(count)d withdrawn", counts.get(State.WITHDRAWN, 0))),
        )
        if counts.get(state)
    ]
    if len(parts) == 2:
        return _("%(first)s and %(second)s") % {"first": parts[0], "second": parts[1]}
    return parts[0] if parts else ""


def _list_tools(request) -> dict:
    """The saved filters above the list and, for the head of the QMS, the bulk assign form; both
    keep the list's current filters."""
    current = {"query": list_query(request.GET.urlencode())}
    bulk_form = BulkAssignForm(initial=current) if services.can_assign_in_bulk(request.user) else None
    actions = list_actions(request)
    for action in actions:
        quick_forms(action.context)
    return {
        "saved_filters": selectors.saved_filters(request.user),
        "save_filter_form": SavedFilterForm(initial=current),
        "bulk_form": bulk_form,
        "list_actions": actions,
        "list_tools": list_tools(),
        # The tick column and the one form the ticked cards are sent with (list_page.ListAction).
        "selection": bool(bulk_form or actions),
        "selection_query": current["query"],
    }


def _list_url(query: str) -> str:
    return f"{reverse('complaints:list')}?{query}" if query else reverse("complaints:list")


@login_required
@require_POST
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    back = _list_url(list_query(request.POST.get("query", "")))
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    try:
        saved = services.saved_filter_save(
            user=request.user, name=form.cleaned_data["name"], filters=form.cleaned_data["query"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect(_list_url(saved.query))


@login_required
@require_POST
def saved_filter_delete(request, pk: int):
    if not services.saved_filter_delete(user=request.user, pk=pk):
        raise Http404  # another user's, or gone
    messages.success(request, _("Saved filter deleted."))
    return redirect("complaints:list")


@login_required
@require_POST
def complaints_bulk_assign(request):
    services.access_assign_in_bulk(request.user)  # refused before the form is read
    form = BulkAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(_list_url(list_query(request.POST.get("bulk-query", ""))))
    data = form.cleaned_data
    result = services.complaints_assign(actor=request.user, numbers=data["cards"], responsible=data["responsible"])
    if result.assigned:
        messages.success(request, ngettext(
            "%(count)d card assigned to %(user)s: %(numbers)s.", "%(count)d cards assigned to %(user)s: %(numbers)s.",
            len(result.assigned),
        ) % {"count": len(result.assigned), "user": data["responsible"], "numbers": ", ".join(result.assigned)})
    if result.skipped:
        messages.warning(request, ngettext(
            "%(count)d card skipped: %(reasons)s.", "%(count)d cards skipped: %(reasons)s.", len(result.skipped),
        ) % {"count": len(result.skipped), "reasons": "; ".join(f"{n} — {why}" for n, why in result.skipped)})
    return redirect(_list_url(data["query"]))


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
                    full_name=data["full_name"], phone=data["phone"], email=data["email"], fax=data["fax"],
                    address=data["address"], organisation_name=data["organisation_name"],
                )
            complaint = services.complaint_register(
                actor=request.user, channel=data["channel"], received_at=data["received_at"],
                contact=contact, wording=data["wording"], product=data["product"],
                order_reference=data["order_reference"], category=data["category"],
                importance=data["importance"], employee_concerned=data["employee_concerned"],
                department_concerned=data["department_concerned"],
                attachments=data["attachments"], duplicates="now", acknowledge=True,
                request_type=data["request_type"], claim_demand=data["claim_demand"],
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
def complaint_fragment(request, number: str, name: str):
    """A collapsed part of the card, fetched when opened: to those who may see the card."""
    return fragment_render(request, card_for_request(request, number), name)


@login_required
def complaint_print(request, number: str):
    return render(request, "complaints/print.html", selectors.card_print_context(card_for_request(request, number)))


@login_required
def complaint_acceptance_note(request, number: str):
    """The note handed or sent to a customer who complained in person, by letter or by fax."""
    complaint = card_for_request(request, number)
    tracking_url = ""
    if access.can_see_tracking_link(request.user, complaint):
        path = reverse("web_form:track", kwargs={"number": complaint.number})
        tracking_url = absolute_url(f"{path}?code={complaint.tracking_code}", request)
    return render(request, "complaints/acceptance_note.html", {"complaint": complaint, "tracking_url": tracking_url})


@login_required
@require_POST
def complaint_customer(request, number: str):
    complaint = card_for_request(request, number)
    access.access_writer(request.user, complaint, access.CUSTOMER)  # refused before the form is read
    form = CustomerCorrectForm(request.POST, complaint=complaint)
    return card_form_post(
        request, complaint, form, "customer",
        lambda **data: services.complaint_customer_correct(
            complaint=complaint, actor=request.user, **form.write_arguments(),
        ),
        _("The customer is corrected."),
    )


@login_required
@require_POST
def complaint_sign_off(request, number: str, signatory: str):
    complaint = card_for_request(request, number)
    try:
        services.complaint_sign_off(complaint=complaint, actor=request.user, signatory=signatory)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The card is signed off."))
    return redirect("complaints:detail", number=number)


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
@require_POST
def complaint_keep_closed(request, number: str):
    complaint = card_for_request(request, number)
    access.access_writer(request.user, complaint, access.AFTER_ANSWER)  # refused before the form is read
    return card_form_post(
        request, complaint, KeepClosedForm(request.POST), "keep_closed",
        lambda text: services.complaint_keep_closed(complaint=complaint, actor=request.user, text=text),
        _("The customer's message is handled; the card stays as it is."),
    )


@login_required
@require_POST
def complaint_confirm_in_writing(request, number: str):
    complaint = card_for_request(request, number)
    access.access_writer(request.user, complaint, access.EDIT)  # refused before the form is read
    return card_form_post(
        request, complaint, WrittenConfirmationForm(request.POST, request.FILES), "confirmation",
        lambda **data: services.complaint_confirm_in_writing(complaint=complaint, actor=request.user, **data),
        _("The written confirmation is recorded: the complaint is now a claim."),
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
        _("Measure added."),
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
