"""What duplicates adds to the complaint card: its possible originals, with one-click "mark as
duplicate" and "not a duplicate"."""

from amends.complaints.card_page import register_panel

from .access import can_decide_duplicate
from .selectors import duplicate_candidates_for


def candidates_panel(request, complaint, bound) -> dict:
    return {
        "duplicate_candidates": list(duplicate_candidates_for(complaint)) if complaint.is_open else [],
        "can_decide_duplicate": can_decide_duplicate(request.user, complaint),
    }


def register() -> None:
    register_panel("duplicate_candidates", "duplicates/candidates.html", column="main", order=10,
                   context=candidates_panel)
