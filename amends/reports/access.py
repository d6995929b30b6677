from amends.accounts.access import OVERSEERS
from amends.accounts.models import User
from amends.core.errors import AccessDenied


def access_weekly_summary(user: User) -> None:
    """The summary shows every card: for those who see the whole picture (DOMAIN.md §9)."""
    if not user.has_role(*OVERSEERS):
        raise AccessDenied("Only the head of the QMS, managers and administrators see the weekly summary.")
