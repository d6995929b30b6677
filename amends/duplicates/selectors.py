"""Reads for duplicates: a card's possible duplicates and similar complaints, and the complaints
that statistics count."""

from django.db.models import QuerySet

from amends.complaints.choices import State
from amends.complaints.models import Complaint

from .models import DUPLICATE_REASONS, SIMILAR_REASONS, DuplicateCandidate


def _shown(complaint: Complaint) -> QuerySet[DuplicateCandidate]:
    """Candidates still to show: not dismissed, and not themselves marked as duplicates since."""
    return (
        DuplicateCandidate.objects.filter(complaint=complaint, dismissed=False)
        .exclude(candidate__state=State.DUPLICATE)
        .select_related("candidate")
        .order_by("-score", "candidate__received_at", "pk")
    )


def duplicate_candidates_for(complaint: Complaint) -> QuerySet[DuplicateCandidate]:
    """The cards this one may duplicate: the same customer's or the same order's, still to decide on."""
    return _shown(complaint).filter(reason__in=DUPLICATE_REASONS)


def similar_complaints_for(complaint: Complaint) -> QuerySet[DuplicateCandidate]:
    """Other customers' complaints worded alike: separate complaints, perhaps one mass problem."""
    return _shown(complaint).filter(reason__in=SIMILAR_REASONS)


def countable_complaints(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Complaints that count in statistics: a duplicate is linked to its original and left out
    (DOMAIN.md §1); repeat complaints by the same customer still count."""
    return qs.exclude(state=State.DUPLICATE)
