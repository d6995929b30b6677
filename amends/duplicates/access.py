"""Who decides whether a card duplicates another: whoever may mark it as a duplicate."""

from amends.accounts.models import User
from amends.complaints.access import relations
from amends.complaints.models import Complaint
from amends.complaints.transitions import TRANSITIONS
from amends.core.errors import AccessDenied


def can_decide_duplicate(user: User, complaint: Complaint) -> bool:
    return bool(TRANSITIONS["mark_duplicate"].performers & relations(user, complaint))


def access_decide_duplicate(user: User, complaint: Complaint) -> None:
    if not can_decide_duplicate(user, complaint):
        raise AccessDenied("You may not decide whether this complaint is a duplicate.")
