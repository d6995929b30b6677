"""Reads for duplicates: a card's possible duplicates and similar complaints, and the complaints
that statistics count."""

from django.db.models import QuerySet

from amends.complaints.choices import State
from amends.complaints.models import Complaint

from .models import SIMILAR_REASONS, DuplicateCandidate


def _shown(complaint: Complaint) -> QuerySet[DuplicateCandidate]:
    """Candidates still to show: not dismissed, and not themselves marked as duplicates since."""
    return (
        DuplicateCandidate.objects.filter(complaint=complaint, dismissed=False)
        .exclude(candidate__state=State.DUPLICATE)
        .select_related("candidate")
        # Of the other card, what the panel shows: its whole row cost the card page 1–2 ms of CPU.
        .only("complaint", "candidate", "score", "reason", "created_at", "dismissed",
              "candidate__number", "candidate__received_at", "candidate__channel")
        .order_by("-score", "candidate__received_at", "pk")
    )


def card_candidates(complaint: Complaint) -> tuple[list[DuplicateCandidate], list[DuplicateCandidate]]:
    """The cards this one may duplicate (the same customer's or the same order's, still to decide on),
    and other customers' complaints worded alike (separate complaints, perhaps one mass problem): both
    read in one query."""
    shown = list(_shown(complaint))
    return [c for c in shown if c.is_duplicate], [c for c in shown if c.reason in SIMILAR_REASONS]


def countable_complaints(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Complaints that count in statistics: a duplicate is linked to its original and left out
    (DOMAIN.md §1); repeat complaints by the same customer still count."""
    return qs.exclude(state=State.DUPLICATE)
