"""The proposals page: what the worker found, pending first; the head of the QMS accepts or dismisses."""

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.models import User
from amends.complaints.card_page import form_errors_add
from amends.complaints.models import Complaint
from amends.core.errors import TransitionNotAllowed

from ..access import access_process_owner, access_proposals, is_process_owner
from ..choices import ProposalStatus
from ..forms.proposals import AcceptForm, DismissForm, owner_choices
from ..models import Proposal
from ..proposals import proposal_accept, proposal_dismiss, proposal_finding, proposal_title

DECIDED_SHOWN = 100  # the latest decisions; older ones stay on the records and in the admin


@dataclass(frozen=True)
class Row:
    proposal: Proposal
    finding: str
    accept: AcceptForm | None
    dismiss: DismissForm | None


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "the proposals' views are login_required"
    return user


def _rows(request: HttpRequest, bound: Mapping[str, forms.BaseForm]) -> tuple[list[Row], list[Row]]:
    deciding = is_process_owner(_user(request))
    owners = owner_choices() if deciding else []
    proposals = (
        Proposal.objects.select_related("supplier", "product", "cause", "decided_by", "nonconformity")
        .prefetch_related(Prefetch("complaints", queryset=Complaint.objects.order_by("received_at", "pk")))
    )
    pending = list(proposals.filter(status=ProposalStatus.PENDING).order_by("-created_at", "-pk"))
    decided = list(proposals.exclude(status=ProposalStatus.PENDING).order_by("-decided_at", "-pk")[:DECIDED_SHOWN])

    def row(proposal: Proposal) -> Row:
        accept = dismiss = None
        if deciding and proposal.status == ProposalStatus.PENDING:
            accept = bound.get(f"accept-{proposal.pk}") or AcceptForm(
                proposal_id=proposal.pk, owners=owners, initial={"title": proposal_title(proposal)},
            )
            dismiss = bound.get(f"dismiss-{proposal.pk}") or DismissForm(proposal_id=proposal.pk)
        return Row(proposal, proposal_finding(proposal), accept, dismiss)  # type: ignore[arg-type]

    return [row(p) for p in pending], [row(p) for p in decided]


def _render(request: HttpRequest, status: int = 200, bound: Mapping[str, forms.BaseForm] | None = None) -> HttpResponse:
    pending, decided = _rows(request, bound or {})
    return render(request, "capa/proposals.html", {"pending": pending, "decided": decided}, status=status)


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    access_proposals(_user(request))
    return _render(request)


def _decide(request: HttpRequest, form: forms.Form, name: str, write, done) -> HttpResponse:
    if form.is_valid():
        try:
            result = write(**form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done(result))
            return redirect("capa:proposals")
    return _render(request, 400, {name: form})


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    access_process_owner(actor)  # refused before the form is read
    proposal = get_object_or_404(Proposal, pk=pk)
    form = AcceptForm(request.POST, proposal_id=pk, owners=owner_choices())
    return _decide(
        request, form, f"accept-{pk}",
        lambda title, owner: proposal_accept(actor=actor, proposal=proposal, title=title, owner=owner),
        lambda record: _("Nonconformity %(number)s opened from the proposal.") % {"number": record.number},
    )


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    access_process_owner(actor)
    proposal = get_object_or_404(Proposal, pk=pk)
    form = DismissForm(request.POST, proposal_id=pk)
    return _decide(
        request, form, f"dismiss-{pk}",
        lambda reason: proposal_dismiss(actor=actor, proposal=proposal, reason=reason),
        lambda _proposal: _("Proposal dismissed."),
    )
