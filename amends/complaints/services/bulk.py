"""The head of the QMS assigns one responsible person to many cards at once.

Each card takes the ordinary assign step (rights, state, timeline, signals, deadlines), in a
transaction of its own: a card someone else moved meanwhile is skipped with the reason, and the
others are assigned all the same."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed

from ..access import relations_filter
from ..models import Complaint
from ..transitions import may_take_on_every_card
from .lifecycle import complaint_transition

BULK_MAX = 100  # cards in one request


@dataclass
class BulkResult:
    assigned: list[str] = field(default_factory=list)  # card numbers
    skipped: list[tuple[str, str]] = field(default_factory=list)  # card number, why (no full stop: listed)

    def skip(self, number: str, why: str) -> None:
        self.skipped.append((number, why.strip().rstrip(".")))


def can_assign_in_bulk(user: User) -> bool:
    return may_take_on_every_card(user, "assign")


def access_assign_in_bulk(user: User) -> None:
    if not can_assign_in_bulk(user):
        raise AccessDenied(_("Only the head of the QMS assigns responsible persons to several cards at once."))


def complaints_assign(*, actor: User, numbers: list[str], responsible: User) -> BulkResult:
    access_assign_in_bulk(actor)
    numbers = list(dict.fromkeys(numbers))
    if len(numbers) > BULK_MAX:
        raise ValidationError(_("Choose at most %(count)d cards at once.") % {"count": BULK_MAX})
    cards = {c.number: c for c in Complaint.objects.filter(relations_filter(actor), number__in=numbers)}
    result = BulkResult()
    for number in numbers:
        card = cards.get(number)
        if card is None:
            result.skip(number, _("no such complaint"))
            continue
        if card.responsible_id == responsible.pk:
            result.skip(number, _("already assigned to %(user)s") % {"user": responsible})
            continue
        try:
            complaint_transition(complaint=card, name="assign", actor=actor, data={"responsible": responsible})
        except ValidationError as error:
            result.skip(number, " ".join(error.messages))
        except (AccessDenied, StaleObject, TransitionNotAllowed) as error:
            result.skip(number, str(error))
        else:
            result.assigned.append(number)
    return result
