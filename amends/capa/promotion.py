"""The card's side of CAPA: a nonconformity opened from cards (concerns taken from them), and a
complaint's measure promoted to a corrective action when its cause proved systemic."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints import access as card_access
from amends.complaints.events import event_nonconformity
from amends.complaints.models import Complaint, Measure

from .actions import PLANNABLE, action_create
from .choices import ActionKind, NonconformityState, Source
from .event_texts import CARD_PROMOTED
from .models import Action, Nonconformity
from .nonconformities import nonconformity_link, nonconformity_open

# A nonconformity's concern ← the card's field of it.
CARD_CONCERNS = {
    "product": "product", "component": "component", "supplier": "supplier",
    "department": "department_concerned", "cause": "cause",
}


def open_records() -> QuerySet[Nonconformity]:
    """Nonconformities cards may still be linked to: every one not closed."""
    return Nonconformity.objects.exclude(state=NonconformityState.CLOSED).order_by("-opened_at", "-pk")


def plannable_records() -> QuerySet[Nonconformity]:
    """Nonconformities that still take actions: a measure is promoted among them."""
    return Nonconformity.objects.filter(state__in=PLANNABLE).order_by("-opened_at", "-pk")


def card_concerns(cards: Iterable[Complaint]) -> dict:
    """The concerns every one of these cards shares (one card: all it has); the others left empty."""
    cards = list(cards)
    concerns = {}
    for concern, field in CARD_CONCERNS.items():
        values = {getattr(card, f"{field}_id") for card in cards}
        if len(values) == 1 and None not in values:
            concerns[concern] = getattr(cards[0], field)
    return concerns


def may_link_cards(user: User) -> bool:
    """Whether the user links any cards at all (the list offers them the selection)."""
    keys = card_access.WRITES[card_access.NONCONFORMITY].relations
    return any(relation.open_to(user) for relation in card_access.RELATIONS if relation.key in keys)


def selected_cards(actor: User, numbers: list[str]) -> list[Complaint]:
    """The cards of these numbers, in their order, each one the actor may link; an unknown card, or
    one that is not theirs to link, refuses them all."""
    numbers = list(dict.fromkeys(numbers))
    found = {c.number: c for c in Complaint.objects.filter(card_access.relations_filter(actor), number__in=numbers)}
    missing = [number for number in numbers if number not in found]
    if missing:
        raise ValidationError(_("No such complaint: %(numbers)s.") % {"numbers": ", ".join(missing)})
    others = [n for n in numbers if not card_access.can_write(actor, found[n], card_access.NONCONFORMITY)]
    if others:
        raise ValidationError(_(
            "Only their responsible person or the head of the QMS links these complaints: %(numbers)s."
        ) % {"numbers": ", ".join(others)})
    return [found[number] for number in numbers]


def nonconformity_open_from_cards(*, actor: User, cards: list[Complaint], title: str, **fields) -> Nonconformity:
    """Open a nonconformity linked to these cards (each one the actor's to link); `fields` are the
    description and concerns as chosen, else the concerns the cards share."""
    if not cards:
        raise ValidationError(_("Select the cards first."))
    fields = {**card_concerns(cards), **fields}
    return nonconformity_open(actor=actor, title=title, source=Source.CARDS, complaints=cards, **fields)


def promotion_due_date(measure: Measure) -> date | None:
    """The measure's own due date while it has not passed, the action's default."""
    return measure.due_date if measure.due_date >= timezone.localdate() else None


@transaction.atomic
def measure_promote(
    *, actor: User, measure: Measure, nonconformity: Nonconformity | None = None, title: str = "",
    due_date: date | None = None,
) -> Action:
    """The measure becomes a corrective action of `nonconformity` (its card linked to it), or of a
    new one opened from it (source MEASURE); its executor owns the action. A measure is promoted once."""
    card = measure.complaint
    card_access.access_write(actor, card, card_access.NONCONFORMITY)
    measure = Measure.objects.select_for_update().select_related("executor").get(pk=measure.pk)
    promoted = Action.objects.filter(measure=measure).select_related("nonconformity").first()
    if promoted is not None:
        raise ValidationError(_("This measure was already promoted to an action of the nonconformity %(number)s.")
                              % {"number": promoted.nonconformity.number})
    due_date = due_date or promotion_due_date(measure)
    if due_date is None:
        raise ValidationError({"due_date": _("The measure's due date has passed: give the action's due date.")})
    if nonconformity is None:
        nonconformity = nonconformity_open(
            actor=actor, title=title.strip() or measure.description[:300], source=Source.MEASURE,
            complaints=[card], **card_concerns([card]),
        )
    else:
        nonconformity_link(actor=actor, nonconformity=nonconformity, complaints=[card])
    action = action_create(
        actor=actor, nonconformity=nonconformity, description=measure.description, owner=measure.executor,
        due_date=due_date, kind=ActionKind.CORRECTIVE, measure=measure,
    )
    event_nonconformity(card, actor, CARD_PROMOTED, {
        "number": nonconformity.number, "title": nonconformity.title, "measure": measure.description,
    })
    return action
