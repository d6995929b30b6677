"""Who may see and do what on nonconformities, declared once (the card's side is complaints'
`access.WRITES[NONCONFORMITY]`: linking a card, opening one from it, promoting its measure)."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from amends.accounts.access import OVERSEERS, PROCESS_OWNERS
from amends.accounts.models import User
from amends.core.errors import AccessDenied

from .models import Nonconformity


def can_see_nonconformities(user: User) -> bool:
    """The registers (nonconformities, proposals, suppliers): those who oversee quality, and
    everyone who owns a nonconformity or an action (their own records)."""
    if user.has_role(*OVERSEERS):
        return True
    return Nonconformity.objects.filter(Q(owner=user) | Q(actions__owner=user)).exists()


def can_see_nonconformities_in_request(user: User) -> bool:
    """can_see_nonconformities asked once per request (the header's link asks it on every page):
    kept on the request's own user object, never on one that outlives the request."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_capa_sees_records"):
        user._capa_sees_records = can_see_nonconformities(user)  # type: ignore[attr-defined]
    return user._capa_sees_records  # type: ignore[attr-defined]


def can_see_nonconformity(user: User, nonconformity: Nonconformity) -> bool:
    if user.has_role(*OVERSEERS) or nonconformity.owner_id == user.pk:
        return True
    return nonconformity.actions.filter(owner=user).exists()


def visible_nonconformities(user: User, records: Iterable[Nonconformity]) -> QuerySet[Nonconformity]:
    """Those of these records the user may see (can_see_nonconformity), in one query."""
    chosen = Nonconformity.objects.filter(pk__in=[record.pk for record in records])
    if user.has_role(*OVERSEERS):
        return chosen
    return chosen.filter(Q(owner=user) | Q(actions__owner=user)).distinct()


def is_process_owner(user: User) -> bool:
    """The head of the QMS: opens nonconformities, appoints owners, decides proposals, closes."""
    return user.has_role(*PROCESS_OWNERS)


def can_manage(user: User, nonconformity: Nonconformity) -> bool:
    """Analyses it, plans and checks its actions: its owner and the head of the QMS."""
    return is_process_owner(user) or (nonconformity.owner_id is not None and nonconformity.owner_id == user.pk)


def access_process_owner(user: User) -> None:
    if not is_process_owner(user):
        raise AccessDenied("Only the head of the QMS does this.")


def access_manage(user: User, nonconformity: Nonconformity) -> None:
    if not can_manage(user, nonconformity):
        raise AccessDenied("Only the owner of the nonconformity or the head of the QMS does this.")


def access_see(user: User, nonconformity: Nonconformity) -> None:
    if not can_see_nonconformity(user, nonconformity):
        raise AccessDenied("You may not see this nonconformity.")


def can_see_proposals(user: User) -> bool:
    """The proposals page: those who oversee quality (the head of the QMS decides, access_process_owner)."""
    return user.has_role(*OVERSEERS)


def access_proposals(user: User) -> None:
    if not can_see_proposals(user):
        raise AccessDenied(_("Only those who oversee quality see the proposals."))


def can_see_scorecards(user: User) -> bool:
    """The norms, the suppliers list and scorecards: those who oversee quality (figures of every supplier)."""
    return user.has_role(*OVERSEERS)


def access_scorecards(user: User) -> None:
    if not can_see_scorecards(user):
        raise AccessDenied("Only the head of the QMS, managers and administrators see the supplier scorecards.")


def access_norms(user: User) -> None:
    if not can_see_scorecards(user):
        raise AccessDenied("Only those who oversee quality see the norms.")


# The app's tabs (capa/tabs.html), each shown only to whom its page opens.
TABS = {
    "records": can_see_nonconformities_in_request, "proposals": can_see_proposals,
    "suppliers": can_see_scorecards, "norms": can_see_scorecards,
}


def tabs_shown(user: User) -> set[str]:
    return {tab for tab, sees in TABS.items() if sees(user)}
