"""Clusters of similar complaints from different customers (issue 15 §4): the duplicates app keeps,
for each card, other customers' cards worded alike (`DuplicateCandidate` with a SIMILAR reason). Cards
received within the last `cluster_window_days`, counted (complaints and claims, never duplicates or
withdrawn), joined by those links (also through each other) form a cluster; one of `cluster_size`
customers or more is proposed as a nonconformity.

Once only: a cluster is keyed by its earliest card, and a cluster that shares a card with an earlier
cluster proposal belongs to it. While that proposal waits for a decision the new cards join it (the
head decides on the whole cluster); once it is decided, the cluster is not proposed again. Only a
cluster made entirely of new cards (the old ones gone out of the window) is a new finding."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amends.complaints.choices import COUNTED_REQUEST_TYPES
from amends.complaints.models import Complaint
from amends.duplicates.models import SIMILAR_REASONS, DuplicateCandidate

from .choices import ProposalKind, ProposalStatus
from .models import CapaSettings, Proposal
from .proposals import proposal_raise
from .selectors import NOT_COUNTED


@dataclass(frozen=True)
class Card:
    pk: int
    number: str
    received_at: datetime
    customer: tuple[str, int]  # the contact, or the card itself when it has none


def _similar_pairs(since: datetime, until: datetime) -> list[tuple[int, int]]:
    """The duplicates app's "similar complaint from another customer" links between counted cards
    received in the window, in one statement."""
    in_window = Q(complaint__received_at__gte=since, complaint__received_at__lte=until,
                  candidate__received_at__gte=since, candidate__received_at__lte=until)
    return list(
        DuplicateCandidate.objects.filter(in_window, reason__in=SIMILAR_REASONS, dismissed=False)
        .exclude(complaint__state__in=NOT_COUNTED).exclude(candidate__state__in=NOT_COUNTED)
        .filter(complaint__request_type__in=COUNTED_REQUEST_TYPES, candidate__request_type__in=COUNTED_REQUEST_TYPES)
        .values_list("complaint_id", "candidate_id")
    )


def _groups(pairs: list[tuple[int, int]]) -> list[set[int]]:
    """The connected groups of cards the links make (union-find)."""
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = defaultdict(set)
    for pk in list(parent):
        groups[root(pk)].add(pk)
    return list(groups.values())


def _cards(pks: set[int]) -> dict[int, Card]:
    rows = Complaint.objects.filter(pk__in=pks).values_list("pk", "number", "received_at", "contact_id")
    return {
        pk: Card(pk, number, received_at, ("contact", contact) if contact is not None else ("card", pk))
        for pk, number, received_at, contact in rows
    }


@transaction.atomic
def cluster_check(now: datetime | None = None) -> list[Proposal]:
    """Propose each new cluster once; returns the proposals raised by this run."""
    now = now or timezone.now()
    settings = CapaSettings.current()
    groups = _groups(_similar_pairs(now - timedelta(days=settings.cluster_window_days), now))
    cards = _cards(set().union(*groups)) if groups else {}
    clusters = [
        sorted((cards[pk] for pk in group), key=lambda card: (card.received_at, card.pk))
        for group in groups
        if len({cards[pk].customer for pk in group}) >= settings.cluster_size
    ]
    if not clusters:
        return []
    links = Proposal.complaints.through.objects.filter(
        proposal__kind=ProposalKind.CLUSTER, complaint_id__in=[card.pk for cluster in clusters for card in cluster],
    ).values_list("complaint_id", "proposal_id", "proposal__status")
    earlier = {complaint: (proposal, status) for complaint, proposal, status in links}
    raised = []
    for cluster in clusters:
        known = [earlier[card.pk] for card in cluster if card.pk in earlier]
        if not known:
            proposal = proposal_raise(
                kind=ProposalKind.CLUSTER, key=f"cluster:{cluster[0].number}", params=_params(cluster, settings),
                complaints=Complaint.objects.filter(pk__in=[card.pk for card in cluster]),
            )
            if proposal is not None:
                raised.append(proposal)
            continue
        pending = [proposal for proposal, status in known if status == ProposalStatus.PENDING]
        new = [card for card in cluster if card.pk not in earlier]
        if pending and new:
            _grow(min(pending), new, settings)
    return raised


def _params(cluster: list[Card], settings: CapaSettings) -> dict:
    return {
        "cards": len(cluster), "customers": len({card.customer for card in cluster}),
        "days": settings.cluster_window_days,
        "first": timezone.localdate(cluster[0].received_at).isoformat(),
        "last": timezone.localdate(cluster[-1].received_at).isoformat(),
    }


def _grow(proposal_id: int, new: list[Card], settings: CapaSettings) -> None:
    """A pending proposal takes the cluster's new cards, and says how large the cluster is now."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != ProposalStatus.PENDING:
        return
    proposal.complaints.add(*[card.pk for card in new])
    cards = _cards(set(proposal.complaints.values_list("pk", flat=True)))
    proposal.params = _params(sorted(cards.values(), key=lambda card: (card.received_at, card.pk)), settings)
    proposal.save(update_fields=["params"])
