"""What duplicates adds to the complaint card: its possible originals (the same customer or order),
with one-click "mark as duplicate" and "not a duplicate"; and other customers' similar complaints,
shown apart."""

from amends.accounts.models import User
from amends.complaints.card_page import register_panel
from amends.complaints.choices import Channel, State
from amends.complaints.register_page import register_form_part
from amends.complaints.selectors import complaints_visible_to

from .access import can_decide_duplicate
from .selectors import card_candidates
from .services import Match


def candidates_panel(request, complaint, bound) -> dict:
    duplicates, similar = card_candidates(complaint)
    return {
        "duplicate_candidates": duplicates if complaint.is_open else [],
        "similar_complaints": similar,
        "can_decide_duplicate": can_decide_duplicate(request.user, complaint),
    }


def draft_context(user: User, matches: list[Match]) -> dict:
    """What the registration form shows of the cards found for the operator's draft: each number
    linked when the operator may open its card (one query for all)."""
    visible = set(complaints_visible_to(user).filter(pk__in=[m.card.pk for m in matches]).values_list("pk", flat=True))
    rows = [
        {
            "number": m.card.number, "received_at": m.card.received_at, "visible": m.card.pk in visible,
            "channel": Channel(m.card.channel).label, "state": State(m.card.state).label,
            "reason": m.reason.label, "percent": round(m.score * 100), "is_duplicate": m.is_duplicate,
        }
        for m in matches
    ]
    return {
        "duplicates": [row for row in rows if row["is_duplicate"]],
        "similar": [row for row in rows if not row["is_duplicate"]],
    }


def register() -> None:
    register_panel("duplicate_candidates", "duplicates/candidates.html", column="main", order=10,
                   context=candidates_panel)
    register_form_part("duplicate_candidates", "duplicates/register_part.html", order=10)
