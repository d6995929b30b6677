"""Reads for duplicates: a card's candidates, and the complaints that statistics count."""

from django.db.models import QuerySet

from amends.complaints.choices import State
from amends.complaints.models import Complaint

from .models import DuplicateCandidate


def duplicate_candidates_for(complaint: Complaint) -> QuerySet[DuplicateCandidate]:
    """Candidates still to decide on: not dismissed, and not themselves marked as duplicates since."""
    return (
        DuplicateCandidate.objects.filter(complaint=complaint, dismissed=False)
        .exclude(candidate__state=State.DUPLICATE)
        .select_related("candidate")
        .order_by("-score", "candidate__received_at", "pk")
    )


def countable_complaints(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Complaints that count in statistics: a duplicate is linked to its original and left out
    (DOMAIN.md §1); repeat complaints by the same customer still count."""
    return qs.exclude(state=State.DUPLICATE)
