"""Who sees the analysis. The figures count every card, so they are for those who see the whole
picture (DOMAIN.md §9); the register export gives each user the cards they may see."""

from amends.accounts.access import OVERSEERS, PROCESS_OWNERS
from amends.accounts.models import User
from amends.core.errors import AccessDenied


def access_analytics(user: User) -> None:
    if not user.has_role(*OVERSEERS):
        raise AccessDenied("Only the head of the QMS, managers and administrators see the analysis.")


def can_see_analytics(user: User) -> bool:
    return user.is_authenticated and user.has_role(*OVERSEERS)


def access_conclusions(user: User) -> None:
    """The yearly statement's conclusions and approval, and the monthly meeting's decisions."""
    if not user.has_role(*PROCESS_OWNERS):
        raise AccessDenied("Only the head of the QMS and administrators write conclusions and decisions.")
