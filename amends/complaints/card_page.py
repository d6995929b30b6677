"""The card page, open to other apps.

The page is a list of panels in two columns. Complaints registers its own sections here; higher
apps (deadlines, duplicates, intake) register theirs in their AppConfig.ready(), so complaints never
imports them. A panel's context function gets (request, complaint, bound) and returns what its
template needs; `bound` maps a form's name to a submitted form that the page shows again, open,
with its errors (the views of every app re-render the card through card_render).

A collapsed form inside a panel may be a fragment (register_fragment): the card renders its summary
and a placeholder, and the fragment URL gives its HTML when the operator opens it; it is rendered in
full on the card when one of its forms comes back with errors, or when asked for with `?open=<name>`
(the placeholder's link without JavaScript).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.core.errors import TransitionNotAllowed

from . import access, selectors
from .choices import ACCEPTANCE_NOTE_CHANNELS, RequestType, Signatory, State
from .forms import (
    AttachmentForm,
    CallLogForm,
    ComplaintEditForm,
    CustomerCorrectForm,
    MeasureForm,
    MeasureReportForm,
    NoteForm,
    TransitionForm,
    WrittenConfirmationForm,
    quick_forms,
)
from .models import Complaint, Measure
from .services import SIGN_OFF_WRITES
from .transitions import available_transitions

PanelContext = Callable[[HttpRequest, Complaint, Mapping[str, forms.BaseForm]], dict[str, Any]]
COLUMNS = ("main", "side")


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    column: str
    order: int
    # None: the template reads the page's own context only.
    context: PanelContext | None = None


PANELS: dict[str, Panel] = {}


def register_panel(
    name: str, template: str, *, column: str = "main", order: int = 100, context: PanelContext | None = None,
) -> Panel:
    """Add a panel to every card page; registering a name again replaces it."""
    if column not in COLUMNS:
        raise ValueError(f"A panel goes in the {' or '.join(COLUMNS)} column, not {column!r}.")
    panel = PANELS[name] = Panel(name, template, column, order, context)
    return panel


def unregister_panel(name: str) -> None:
    PANELS.pop(name, None)


# A fragment's context gets, besides the panel's arguments, its key: the object of a keyed fragment
# (one form per measure), "" for the others.
FragmentContext = Callable[[HttpRequest, Complaint, Mapping[str, forms.BaseForm], str], dict[str, Any]]


@dataclass(frozen=True)
class Fragment:
    """A collapsed part of a panel, rendered only when open: its template and what it needs."""

    name: str
    template: str
    context: FragmentContext
    keyed: bool


FRAGMENTS: dict[str, Fragment] = {}


def register_fragment(name: str, template: str, context: FragmentContext, *, keyed: bool = False) -> Fragment:
    """A part of a panel fetched when opened: the panel's template holds `{% card_fragment name %}`
    (`{% card_fragment name key %}` when keyed) inside its <details>. On the card it is `name` (or
    `name-key`), the name of the bound form that opens it, of `?open=` and of its URL."""
    fragment = FRAGMENTS[name] = Fragment(name, template, context, keyed)
    return fragment


def fragment_of(shown: str) -> tuple[Fragment, str] | None:
    """The fragment and key of a name as the card shows it ("edit", "promote-12"); None if none."""
    base, _dash, key = shown.rpartition("-")
    if shown in FRAGMENTS and not FRAGMENTS[shown].keyed:
        return FRAGMENTS[shown], ""
    if base in FRAGMENTS and FRAGMENTS[base].keyed and key.isdigit():
        return FRAGMENTS[base], key
    return None


@dataclass(frozen=True)
class TransitionPanel:
    """A lifecycle step another app's panel takes on the card (the answer, sent by the answers app):
    the card links to the panel where the step's form would be, so there is one way to take it."""

    transition: str
    anchor: str  # the panel's element id
    label: Any  # the link's text (lazy, in the reader's language)


TRANSITION_PANELS: dict[str, TransitionPanel] = {}


def register_transition_panel(transition: str, anchor: str, label: Any) -> None:
    TRANSITION_PANELS[transition] = TransitionPanel(transition, anchor, label)


# What is read with the card's measures: complaints' own and what other apps' panels show of each
# (capa: the action it became), so that every panel lists them from one query.
MEASURE_RELATIONS: list[str] = ["executor", "approved_by"]


def register_measure_relation(name: str) -> None:
    if name not in MEASURE_RELATIONS:
        MEASURE_RELATIONS.append(name)


def card_measures(complaint: Complaint) -> list[Measure]:
    """The card's measures with MEASURE_RELATIONS, read the first time a panel asks and kept on the card."""
    prefetch_related_objects([complaint], Prefetch("measures", Measure.objects.select_related(*MEASURE_RELATIONS)))
    return list(complaint.measures.all())


def _signed_in(request: HttpRequest) -> User:
    """The user of a card page: every view that shows a card requires login."""
    user = request.user
    assert isinstance(user, User), "the card's views are login_required"
    return user


def card_for_request(request: HttpRequest, number: str) -> Complaint:
    """The card as this user may see it (404 otherwise); one still waiting in a pipeline of another
    app is registered now through the missing-card hooks."""
    try:
        return selectors.complaint_get_or_registered(_signed_in(request), number)
    except Complaint.DoesNotExist:
        raise Http404(_("No such complaint")) from None


def form_errors_add(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError on the form: per field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _own_context(request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm]) -> dict:
    """What complaints' own sections show; `bound` replaces a blank form with a submitted one."""
    user = _signed_in(request)
    measures = card_measures(complaint)
    events = complaint.events.select_related("actor")
    available = available_transitions(user, complaint)
    transition_forms = [
        bound.get(t.name) or TransitionForm(t, complaint) for t in available if t.name not in TRANSITION_PANELS
    ]
    can_edit = access.can_edit_complaint(user, complaint)
    return {
        "complaint": complaint,
        "measures": [(m, access.can_report_measure(user, m)) for m in measures],
        "events": events,
        "attachments": complaint.attachments.all(),
        "duplicates": complaint.duplicates.only("number", "state"),
        "transition_forms": transition_forms,
        "transition_panels": [TRANSITION_PANELS[t.name] for t in available if t.name in TRANSITION_PANELS],
        "can_edit": can_edit,
        "acceptance_note": complaint.channel in ACCEPTANCE_NOTE_CHANNELS,
        "confirmation_form": bound.get("confirmation") or (
            WrittenConfirmationForm() if can_edit and complaint.request_type == RequestType.COMPLAINT else None
        ),
        "can_plan": access.can_plan_measures(user, complaint),
        # The form for the first measure is open at first sight; for another, a fragment.
        "measure_form": None if measures else MeasureForm(),
        "report_form": MeasureReportForm(),
        "can_note": access.can_write(user, complaint, access.NOTE),
        "can_call": access.can_write(user, complaint, access.CALL),
        "can_attach": complaint.is_open and access.can_write(user, complaint, access.ATTACHMENT),
        "note_form": bound.get("note") or NoteForm(),
        "call_form": bound.get("call") or CallLogForm(),
        "attachment_form": bound.get("attachment") or AttachmentForm(),
    }


@dataclass(frozen=True)
class RenderedPanel:
    """A panel with its context, as detail.html's {% card_panel %} renders it."""

    name: str
    template: str
    context: dict[str, Any]


def card_context(
    request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm] | None = None,
) -> dict[str, Any]:
    bound = bound or {}
    context = quick_forms(_own_context(request, complaint, bound))
    asked = request.GET.get("open", "")
    opened = {name: found for name in [*bound, asked] if (found := fragment_of(name))}
    context["open_form"] = next(iter(bound), None) or (asked if asked in opened else None)
    context["card_fragments"] = {
        name: _fragment_context(request, complaint, *found, bound) for name, found in opened.items()
    }
    for column in COLUMNS:
        context[f"{column}_panels"] = [
            RenderedPanel(p.name, p.template, quick_forms(p.context(request, complaint, bound)) if p.context else {})
            for p in sorted(PANELS.values(), key=lambda p: (p.order, p.name)) if p.column == column
        ]
    return context


def _fragment_context(
    request: HttpRequest, complaint: Complaint, fragment: Fragment, key: str, bound: Mapping[str, forms.BaseForm],
) -> dict[str, Any]:
    return {"complaint": complaint, **quick_forms(fragment.context(request, complaint, bound, key))}


def fragment_render(request: HttpRequest, complaint: Complaint, shown: str) -> HttpResponse:
    """A fragment's HTML, as the card shows it open: what the placeholder is replaced with."""
    found = fragment_of(shown)
    if found is None:
        raise Http404
    fragment, key = found
    return render(request, "complaints/card/fragment.html", {
        "fragment_name": shown, "fragment_template": fragment.template,
        **_fragment_context(request, complaint, fragment, key, {}),
    })


def card_render(
    request: HttpRequest, complaint: Complaint, status: int = 200, bound: Mapping[str, forms.BaseForm] | None = None,
) -> HttpResponse:
    """The card page; with `bound`, those submitted forms are shown open with their errors."""
    return render(request, "complaints/detail.html", card_context(request, complaint, bound), status=status)


def card_form_post(
    request: HttpRequest, complaint: Complaint, form: forms.BaseForm, name: str,
    write: Callable[..., Any], done: str = "",
) -> HttpResponse:
    """A form on the card: on valid input call one service with the cleaned data and go back to the
    card; else show the card again (400) with the form, under `name`, open and its errors."""
    if form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            if done:
                messages.success(request, done)
            return redirect("complaints:detail", number=complaint.number)
    return card_render(request, complaint, 400, {name: form})


def _customer_panel(request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm]) -> dict:
    can_correct = access.can_write(_signed_in(request), complaint, access.CUSTOMER)
    return {
        "can_correct_customer": can_correct,
        "customer_form": bound.get("customer") or (CustomerCorrectForm(complaint=complaint) if can_correct else None),
    }


SIGN_OFF_URLS: dict[str, str] = {
    Signatory.RESPONSIBLE: "complaints:sign_off_responsible", Signatory.QMS_HEAD: "complaints:sign_off_qms",
}


def _edit_fragment(
    request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm], key: str,
) -> dict:
    can_edit = access.can_edit_complaint(_signed_in(request), complaint)
    return {"edit_form": bound.get("edit") or (ComplaintEditForm(instance=complaint) if can_edit else None)}


def _measure_fragment(
    request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm], key: str,
) -> dict:
    can_plan = access.can_plan_measures(_signed_in(request), complaint)
    return {"measure_form": bound.get("measure") or (MeasureForm() if can_plan else None)}


def _sign_offs_panel(request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm]) -> dict:
    """Each signatory with their sign-off, or whether this user may sign in their place now."""
    user = _signed_in(request)
    closed = complaint.state == State.CLOSED
    # Given once the card is closed, taken off when it is reopened: an open card has none to read.
    signed = {s.signatory: s for s in complaint.sign_offs.select_related("signed_by")} if closed else {}
    return {
        "signatories": [
            (signatory, label, signed.get(signatory),
             closed and access.can_write(user, complaint, SIGN_OFF_WRITES[signatory]), SIGN_OFF_URLS[signatory])
            for signatory, label in Signatory.choices
        ],
    }


# Complaints' own sections; other apps' panels fit between them by their order.
for _name, _column, _order in (
    ("wording", "main", 20), ("fields", "main", 30), ("measures", "main", 40), ("attachments", "main", 50),
    ("actions", "side", 20), ("call", "side", 40), ("timeline", "side", 50),
):
    register_panel(_name, f"complaints/card/{_name}.html", column=_column, order=_order)
register_panel("customer", "complaints/card/customer.html", column="main", order=32, context=_customer_panel)
register_panel("sign_offs", "complaints/card/sign_offs.html", column="side", order=25, context=_sign_offs_panel)
# The edit form: 21 fields and hundreds of options, opened only to correct the card.
register_fragment("edit", "complaints/card/edit.html", _edit_fragment)
register_fragment("measure", "complaints/card/measure.html", _measure_fragment)
