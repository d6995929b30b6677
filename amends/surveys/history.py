"""One truth for loyalty (issue 17, DOMAIN.md §3 and §8): what a customer said about their
satisfaction and loyalty, from both places it is kept — the closing record the responsible person
writes on each card (satisfaction 1-10 and loyalty), and the survey responses (K, would recommend,
will keep working, suggestion). The two stay apart where they are stored and are read together
here: who said what, when, and how.

A card's closing record is the one it holds now: a reopening clears it (the earlier one stays on
the card's timeline) and the next closing writes a new one. A card closed because the customer
could not be reached holds no statement of theirs and is left out."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.choices import EventKind, Loyalty, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.customers.models import Contact

from .choices import ResponseSource
from .models import Response

CLOSING = "closing"
SURVEY = "survey"


@dataclass(frozen=True)
class LoyaltyEntry:
    """One statement of the customer, as recorded at a card's closing or answered in a survey."""

    kind: str  # CLOSING or SURVEY
    at: datetime
    how: str | Promise  # "recorded at closing", or the response's source
    recorded_by: User | None  # who closed the card, or who typed the answers in (None: the customer did)
    complaint: Complaint | None
    satisfaction: int | None  # the closing record's 1-10
    loyalty: str  # the closing record's Loyalty value ("" for a response)
    k: Decimal | None  # the response's K
    recommends: bool | None
    continues: bool | None
    suggestion: str
    response: Response | None

    @property
    def loyalty_display(self) -> str:
        return str(Loyalty(self.loyalty).label) if self.loyalty else ""


def closing_loyalty(loyalty: str) -> tuple[bool | None, bool | None]:
    """The closing record's loyalty as the survey's two questions ask it: (would recommend, will keep
    working). One who refuses further cooperation was not asked about recommending: None."""
    if loyalty == Loyalty.RECOMMENDS:
        return True, True
    if loyalty == Loyalty.STAYS:
        return False, True
    if loyalty == Loyalty.LEAVES:
        return None, False
    return None, None


def with_closer(cards: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Each card with `closed_by_id`: the actor of its latest closing step (the card's timeline)."""
    closer = TimelineEvent.objects.filter(
        complaint=OuterRef("pk"), kind=EventKind.TRANSITION, transition="close",
    ).order_by("-created_at", "-pk").values("actor_id")[:1]
    return cards.annotate(closed_by_id=Subquery(closer))


def closers(cards: list[Complaint]) -> dict[int, User]:
    """Card id → who closed it, for cards read through with_closer()."""
    ids = {card.pk: getattr(card, "closed_by_id", None) for card in cards}
    users = User.objects.in_bulk({user_id for user_id in ids.values() if user_id})
    return {card_id: users[user_id] for card_id, user_id in ids.items() if user_id}


def closed_cards(contact: Contact) -> QuerySet[Complaint]:
    """The customer's closed cards that hold a closing record."""
    return with_closer(Complaint.objects.filter(
        contact=contact, state=State.CLOSED, customer_unreachable=False, satisfaction__isnull=False,
    ))


def closing_entry(card: Complaint, closed_by: User | None) -> LoyaltyEntry:
    recommends, continues = closing_loyalty(card.loyalty)
    return LoyaltyEntry(
        kind=CLOSING, at=card.closed_at or card.updated_at, how=_("Recorded at closing"), recorded_by=closed_by,
        complaint=card, satisfaction=card.satisfaction, loyalty=card.loyalty, k=None,
        recommends=recommends, continues=continues, suggestion="", response=None,
    )


def response_entry(response: Response) -> LoyaltyEntry:
    return LoyaltyEntry(
        kind=SURVEY, at=response.received_at, how=ResponseSource(response.source).label,
        recorded_by=response.entered_by, complaint=response.complaint, satisfaction=None, loyalty="",
        k=response.k, recommends=response.recommends, continues=response.continues,
        suggestion=response.suggestion, response=response,
    )


def customer_responses(contact: Contact):
    return Response.objects.filter(contact=contact).select_related("complaint", "entered_by")


def loyalty_history(contact: Contact) -> list[LoyaltyEntry]:
    """Every statement of the customer about satisfaction and loyalty, newest first: their cards'
    closing records and their survey responses."""
    cards = list(closed_cards(contact))
    users = closers(cards)
    entries = [closing_entry(card, users.get(card.pk)) for card in cards]
    entries += [response_entry(response) for response in customer_responses(contact)]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def k_history(contact: Contact) -> list[tuple[datetime, Decimal, Response]]:
    """The customer's K, response by response, oldest first (a line through time)."""
    return [
        (response.received_at, response.k, response)
        for response in customer_responses(contact).order_by("received_at", "pk")
    ]
