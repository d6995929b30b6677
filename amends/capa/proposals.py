"""Nonconformities the worker proposes to the head of the QMS; each finding is proposed once (`key`).
The heads are told once; one of them accepts a proposal into a nonconformity or dismisses it with
a reason, and the decision stays on the proposal (and on the record's timeline when accepted)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.accounts.models import User
from amends.complaints.event_texts import iso_date
from amends.complaints.models import Cause, Complaint
from amends.core.errors import TransitionNotAllowed
from amends.core.links import absolute_url
from amends.customers.models import Product, Supplier
from amends.notifications.card import qms_heads
from amends.notifications.services import NotificationSpec, notify_many

from .access import access_process_owner
from .choices import NormSubject, ProposalKind, ProposalStatus, RecordEventKind, Source
from .event_texts import PROPOSAL_ACCEPTED
from .events import record_event
from .models import Nonconformity, Proposal
from .nonconformities import nonconformity_open
from .periods import period_of
from .selectors import counted_complaints

PROPOSAL_TEMPLATE = "capa/notifications/proposal.txt"
NOTIFICATION_KIND = "capa_proposal"
# A proposal's kind is the source of the nonconformity accepted from it.
SOURCE_OF = {ProposalKind.NORM: Source.NORM, ProposalKind.CLUSTER: Source.CLUSTER,
             ProposalKind.CAUSE_GROWTH: Source.CAUSE_GROWTH}


@transaction.atomic
def proposal_raise(
    *, kind: str, key: str, params: dict[str, Any], complaints: Iterable[Complaint] = (),
    supplier: Supplier | None = None, product: Product | None = None, cause: Cause | None = None,
    notify: bool = True,
) -> Proposal | None:
    """Propose a nonconformity for this finding unless it was proposed before; None then. The heads
    of the QMS are told once, each in their own language when they read it (`notify=False`: the
    caller tells them of the finding itself, as the norms' check does)."""
    proposal, created = Proposal.objects.get_or_create(key=key, defaults={
        "kind": kind, "params": params, "supplier": supplier, "product": product, "cause": cause,
    })
    if not created:
        return None
    cards = list(complaints)
    proposal.complaints.set(cards)
    if notify:
        _notify_heads(proposal, cards)
    return proposal


def proposal_link(proposal: Proposal) -> str:
    """The proposal on the proposals page, as a notice links it."""
    return absolute_url(reverse("capa:proposals")) + f"#proposal-{proposal.pk}"


def _notify_heads(proposal: Proposal, cards: list[Complaint]) -> None:
    url = proposal_link(proposal)
    numbers = [card.number for card in cards]
    notify_many([
        NotificationSpec(
            user_id=head.pk, kind=NOTIFICATION_KIND, key=f"{NOTIFICATION_KIND}:{proposal.pk}", complaint_id=None,
            template=PROPOSAL_TEMPLATE, context={"proposal": proposal.pk, "url": url, "cards": numbers}, cards=numbers,
        )
        for head in qms_heads()
    ])


def proposal_finding(proposal: Proposal) -> str:
    """What the worker found, worded from `params` in the active language."""
    params = proposal.params
    if proposal.kind == ProposalKind.CLUSTER:
        return ngettext(
            "%(customers)d customer complained in similar words within %(days)d days: %(cards)d complaints "
            "from %(first)s to %(last)s.",
            "%(customers)d customers complained in similar words within %(days)d days: %(cards)d complaints "
            "from %(first)s to %(last)s.",
            params["customers"],
        ) % {**params, "first": iso_date(params["first"]), "last": iso_date(params["last"])}
    if proposal.kind == ProposalKind.CAUSE_GROWTH:
        return ngettext(
            "“%(cause)s”: %(count)d complaint in %(quarter)s so far against %(previous)d in the whole of "
            "%(previous_quarter)s.",
            "“%(cause)s”: %(count)d complaints in %(quarter)s so far against %(previous)d in the whole of "
            "%(previous_quarter)s.",
            params["count"],
        ) % {**params, "cause": proposal.cause}
    # The norms' check says whose norm, the count, the norm and the period's label.
    return _("Norm exceeded (%(whose)s): %(count)s complaints against a norm of %(norm)s in %(period)s.") % {
        "whose": _whose(proposal), "count": params.get("count", "?"), "norm": params.get("norm", "?"),
        "period": _period_label(params),
    }


def _period_label(params: dict[str, Any]) -> str:
    """The norms' check names its period by kind and first day (norms.norm_check's params)."""
    if params.get("period"):
        return str(params["period"])
    if params.get("period_kind") and params.get("period_start"):
        return period_of(params["period_kind"], date.fromisoformat(params["period_start"])).label
    return ""


def _whose(proposal: Proposal) -> str:
    if proposal.supplier is not None:
        return str(proposal.supplier)
    subject = proposal.params.get("subject")
    return str(NormSubject(subject).label) if subject in NormSubject.values else ""


def proposal_title(proposal: Proposal) -> str:
    """The title offered for the nonconformity, in the active language."""
    if proposal.kind == ProposalKind.CLUSTER:
        return _("Similar complaints from %(customers)d customers") % proposal.params
    if proposal.kind == ProposalKind.CAUSE_GROWTH:
        return _("Growing cause: %(cause)s") % {"cause": proposal.cause}
    return _("Norm exceeded: %(whose)s") % {"whose": _whose(proposal)}


def _pending(proposal: Proposal) -> Proposal:
    """The proposal locked for the decision; refused when someone decided it meanwhile."""
    # Only the proposal's row: PostgreSQL locks no nullable side of an outer join.
    locked = Proposal.objects.select_for_update(of=("self",)).select_related("supplier", "product", "cause")
    proposal = locked.get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise TransitionNotAllowed(
            _("This proposal was decided already: %(status)s.") % {"status": proposal.get_status_display()}
        )
    return proposal


@transaction.atomic
def proposal_accept(*, actor: User, proposal: Proposal, title: str = "", owner: User | None = None) -> Nonconformity:
    """Open the nonconformity proposed, with the finding's source, supplier, product, cause and cards
    (those still counted: a card marked a duplicate or withdrawn since is left out)."""
    access_process_owner(actor)
    proposal = _pending(proposal)
    record = nonconformity_open(
        actor=actor, title=title.strip() or proposal_title(proposal), source=SOURCE_OF[ProposalKind(proposal.kind)],
        description=proposal_finding(proposal), owner=owner,
        complaints=counted_complaints(proposal.complaints.all()).order_by("received_at", "pk"),
        supplier=proposal.supplier, product=proposal.product, cause=proposal.cause,
    )
    record_event(record, RecordEventKind.OPENED, PROPOSAL_ACCEPTED, {
        "kind": proposal.kind, "proposed_at": timezone.localdate(proposal.created_at).isoformat(),
    }, actor)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.ACCEPTED, actor, timezone.now()
    proposal.nonconformity = record
    proposal.save(update_fields=["status", "decided_by", "decided_at", "nonconformity"])
    return record


@transaction.atomic
def proposal_dismiss(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    access_process_owner(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal is dismissed.")})
    proposal = _pending(proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.DISMISSED, actor, timezone.now()
    proposal.reason = reason
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return proposal
