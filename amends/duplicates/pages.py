"""What duplicates adds to the complaint card: its possible originals (the same customer or order),
with one-click "mark as duplicate" and "not a duplicate"; and other customers' similar complaints,
shown apart."""

from amends.complaints.card_page import register_panel

from .access import can_decide_duplicate
from .selectors import duplicate_candidates_for, similar_complaints_for


def candidates_panel(request, complaint, bound) -> dict:
    return {
        "duplicate_candidates": list(duplicate_candidates_for(complaint)) if complaint.is_open else [],
        "similar_complaints": list(similar_complaints_for(complaint)),
        "can_decide_duplicate": can_decide_duplicate(request.user, complaint),
    }


def register() -> None:
    register_panel("duplicate_candidates", "duplicates/candidates.html", column="main", order=10,
                   context=candidates_panel)
