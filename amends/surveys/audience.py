"""Who a campaign asks, and how: the active customers, those whose last K was low, the customers a
campaign's filters choose, why one gets no questionnaire, their language and channel."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from amends.answers.letters import card_language
from amends.answers.models import Letter
from amends.complaints.choices import Channel, Origin, State
from amends.complaints.models import Complaint
from amends.customers.models import Contact
from amends.intake.outbound import MESSENGER_SENDERS

from .choices import InvitationChannel, NotSentReason
from .models import Response
from .models.policy import policy
from .selectors import day_start

# A duplicate is the same matter told twice, a withdrawn card no matter at all: neither makes a customer.
COUNTED_CARDS = Q(origin=Origin.EXTERNAL) & ~Q(state__in=(State.DUPLICATE, State.WITHDRAWN))
REACHED = (InvitationChannel.EMAIL, InvitationChannel.MESSENGER)
OFFLINE = (InvitationChannel.PAPER, InvitationChannel.FAX, InvitationChannel.PHONE)


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the month's last day when it is shorter)."""
    local = timezone.localtime(now)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, _month_days(year, month + 1))
    return local.replace(year=year, month=month + 1, day=day)


def _month_days(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def customer_cards(since: datetime | None = None) -> QuerySet[Complaint]:
    cards = Complaint.objects.filter(COUNTED_CARDS, contact__isnull=False)
    return cards.filter(received_at__gte=since) if since is not None else cards


def active_customers(now: datetime | None = None) -> QuerySet[Contact]:
    """Known contacts (not provisional) with a card received in the last `policy().active_months`."""
    since = months_before(now or timezone.now(), policy().active_months)
    return Contact.objects.filter(
        provisional=False, pk__in=customer_cards(since).values("contact_id"),
    ).order_by("pk")


def low_k_customers(now: datetime | None = None) -> QuerySet[Contact]:
    """The customers whose latest response (up to `now`) has K below the threshold."""
    responses = Response.objects.filter(contact=OuterRef("pk"))
    if now is not None:
        responses = responses.filter(received_at__lte=now)
    latest_k = Subquery(responses.order_by("-received_at", "-pk").values("k")[:1])
    return Contact.objects.annotate(latest_k=latest_k).filter(latest_k__lt=policy().k_threshold).order_by("pk")


def chosen_customers(
    *, organisation_kind: str = "", region: str = "", product_id: int | None = None, since: date | None = None,
) -> QuerySet[Contact]:
    """The known customers a manual campaign's filters choose: the organisation's type, the region
    (the organisation's, else the contact's), a card of the product received since the day."""
    cards = customer_cards(day_start(since) if since else None)
    if product_id is not None:
        cards = cards.filter(product_id=product_id)
    contacts = Contact.objects.filter(provisional=False, pk__in=cards.values("contact_id"))
    if organisation_kind:
        contacts = contacts.filter(organisation__kind=organisation_kind)
    if region:
        contacts = contacts.filter(
            Q(organisation__region__iexact=region)
            | (Q(organisation__isnull=True) | Q(organisation__region="")) & Q(region__iexact=region),
        )
    return contacts.order_by("pk")


def _chat(card: Complaint | None) -> bool:
    return card is not None and bool(card.thread_key) and card.thread_key.split(":", 1)[0] in MESSENGER_SENDERS


@dataclass(frozen=True)
class Cards:
    """A customer's latest counted card, and their latest one whose messenger chat we can write to."""

    latest: Complaint | None = None
    chat: Complaint | None = None


CARD_FIELDS = ("pk", "contact_id", "thread_key", "channel", "product_id", "received_at")


def _cards_by_contact(contact_ids: list[int]) -> dict[int, Cards]:
    """Each customer's Cards, in a query per 500 customers."""
    found: dict[int, Cards] = {}
    for start in range(0, len(contact_ids), 500):
        cards = customer_cards().filter(contact_id__in=contact_ids[start:start + 500]).only(*CARD_FIELDS)
        for card in cards.order_by("contact_id", "-received_at", "-pk"):
            contact_id = int(card.contact_id or 0)  # customer_cards() have a contact
            known = found.get(contact_id) or Cards(latest=card)
            if known.chat is None and _chat(card):
                known = Cards(latest=known.latest, chat=card)
            found[contact_id] = known
    return found


def _channel(contact: Contact, complaint: Complaint | None, cards: Cards) -> tuple[str, Complaint | None]:
    card = complaint or cards.latest
    if _chat(card):
        return InvitationChannel.MESSENGER, card
    if contact.email:
        return InvitationChannel.EMAIL, complaint
    if cards.chat is not None:
        return InvitationChannel.MESSENGER, cards.chat
    organisation = contact.organisation
    if contact.address or (organisation and organisation.address):
        return InvitationChannel.PAPER, complaint
    if contact.fax:
        return InvitationChannel.FAX, complaint
    if contact.phone or (organisation and organisation.phone):
        return InvitationChannel.PHONE, complaint
    return InvitationChannel.EMAIL, complaint


def customer_channel(contact: Contact, complaint: Complaint | None = None) -> tuple[str, Complaint | None]:
    """How the questionnaire reaches the customer, and the card whose chat carries it: the chat of
    the card (else of their latest card) when it came from a messenger, else e-mail, else the chat
    of another card; without either, how staff ask them (post, fax, phone)."""
    return _channel(contact, complaint, _cards_by_contact([contact.pk]).get(contact.pk, Cards()))


def where_to_ask(contact: Contact, channel: str) -> str:
    """The postal address, the fax or the phone staff ask the customer at."""
    organisation = contact.organisation
    if channel == InvitationChannel.PAPER:
        return contact.address or (organisation.address if organisation else "")
    if channel == InvitationChannel.FAX:
        return contact.fax
    return contact.phone or (organisation.phone if organisation else "")


def reason_of(contact: Contact, channel: str) -> str:
    if contact.erased_at is not None:
        return NotSentReason.ERASED
    if contact.contact_refused_at is not None:
        return NotSentReason.REFUSED
    if channel not in REACHED or (channel == InvitationChannel.EMAIL and not contact.email):
        return NotSentReason.NO_ADDRESS
    return ""


def not_sent_reason(contact: Contact, complaint: Complaint | None = None) -> str:
    """"" when a questionnaire may go to the customer, else why not (NotSentReason)."""
    if not contact.may_be_contacted:
        return reason_of(contact, "")
    return reason_of(contact, customer_channel(contact, complaint)[0])


def customer_language(contact: Contact, complaint: Complaint | None = None) -> str:
    """The language of the card (answers' rule), else of their latest card, else the company's."""
    card = complaint or _cards_by_contact([contact.pk]).get(contact.pk, Cards()).latest
    return card_language(card) if card is not None else settings.LANGUAGE_CODE


def _languages(cards: list[Complaint]) -> dict[int, str]:
    """card_language of each card, asked only of the cards it has something to read on (a letter,
    the web form's message): the others are in the company's language, without a query each."""
    ids = [card.pk for card in cards]
    lettered = set(Letter.objects.filter(complaint_id__in=ids).values_list("complaint_id", flat=True))
    return {
        card.pk: card_language(card) if card.pk in lettered or card.channel == Channel.WEB_FORM
        else settings.LANGUAGE_CODE
        for card in cards
    }


@dataclass(frozen=True)
class Addressing:
    channel: str
    complaint: Complaint | None
    language: str
    reason: str


def addressing(contact: Contact, complaint: Complaint | None = None) -> Addressing:
    """The channel, the card it follows or whose chat carries it, the language and why not sent."""
    return addressings([contact], complaint)[contact.pk]


def addressings(contacts: list[Contact], complaint: Complaint | None = None, *, language: bool = True,
                ) -> dict[int, Addressing]:
    """`addressing` of many customers in a few queries (a campaign of thousands); `language=False`
    leaves the language out (a preview counts, it does not write)."""
    cards = _cards_by_contact([contact.pk for contact in contacts])
    latest = {contact.pk: complaint or cards.get(contact.pk, Cards()).latest for contact in contacts}
    languages = _languages([card for card in latest.values() if card is not None]) if language else {}
    result = {}
    for contact in contacts:
        channel, card = _channel(contact, complaint, cards.get(contact.pk, Cards()))
        card_of = latest[contact.pk]
        result[contact.pk] = Addressing(
            channel=channel, complaint=card,
            language=languages.get(card_of.pk, settings.LANGUAGE_CODE) if card_of else settings.LANGUAGE_CODE,
            reason=reason_of(contact, channel),
        )
    return result
