"""A nonconformity's page, open to the parts of the app: it is a list of sections (the links and
owner, the root cause, the actions and their checks, the deadlines, the timeline), each registered
from CapaConfig.ready() with a context function (request, nonconformity, bound) -> dict, as the card
page takes panels (complaints/card_page.py). `bound` maps a form's name to a submitted form shown
again, open, with its errors."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amends.complaints.card_page import form_errors_add
from amends.core.errors import AccessDenied, TransitionNotAllowed

from .access import can_see_nonconformity
from .models import Nonconformity

SectionContext = Callable[[HttpRequest, Nonconformity, Mapping[str, forms.BaseForm]], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    order: int
    context: SectionContext | None = None


SECTIONS: dict[str, Section] = {}


@dataclass(frozen=True)
class Rendered:
    template: str
    context: dict[str, Any]


def register_section(name: str, template: str, *, order: int = 100, context: SectionContext | None = None) -> None:
    """Add a section to every nonconformity's page; registering a name again replaces it."""
    SECTIONS[name] = Section(name, template, order, context)


def record_for_request(request: HttpRequest, number: str) -> Nonconformity:
    """The nonconformity as this user may see it, else 404."""
    record = Nonconformity.objects.select_related(
        "owner", "opened_by", "product", "component", "supplier", "department", "cause",
    ).filter(number=number).first()
    if record is None or not can_see_nonconformity(request.user, record):  # type: ignore[arg-type]
        raise Http404(_("No such nonconformity"))
    return record


def record_context(
    request: HttpRequest, record: Nonconformity, bound: Mapping[str, forms.BaseForm] | None = None,
) -> dict[str, Any]:
    """The page's context: `sections` in order, each with its template and its own context, rendered
    with complaints' `card_panel` tag (the page's context with the section's on top)."""
    bound = bound or {}
    sections = [
        Rendered(section.template, section.context(request, record, bound) if section.context else {})
        for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.name))
    ]
    return {"record": record, "sections": sections, "bound": bound}


def record_render(
    request: HttpRequest, record: Nonconformity, status: int = 200, bound: Mapping[str, forms.BaseForm] | None = None,
) -> HttpResponse:
    return render(request, "capa/record.html", record_context(request, record, bound), status=status)


def record_form_post(
    request: HttpRequest, record: Nonconformity, form: forms.BaseForm, name: str,
    write: Callable[..., Any], done: str = "",
) -> HttpResponse:
    """A form on the record's page: on valid input call one service with the cleaned data and go back
    to the page; else show it again (400) with the form, under `name`, open and its errors."""
    if form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        except (TransitionNotAllowed, AccessDenied) as error:
            form.add_error(None, str(error))
        else:
            if done:
                messages.success(request, done)
            return redirect("capa:record", number=record.number)
    return record_render(request, record, 400, {name: form})
