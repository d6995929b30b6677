"""The card's document in the full-text index, and the search over it.

A card's document: its number, the customer's name, organisation, e-mail and phone, the order
reference (weighed most); its wording and demand; the messages in and out on its timeline. The
services' lifecycle signals keep it in step: each receiver re-indexes its card inside the service's
transaction (a few statements, see docs/search.md for the cost), so a card and its document are
committed together. `amends search_index --all` rebuilds the whole index.
"""

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, StrIndex
from django.utils import translation

from amends.customers.models import Contact, phone_digits
from amends.customers.selectors import phone_matches
from amends.search.engine import (
    documents_delete,
    documents_matching,
    documents_replace,
)
from amends.search.indexes import COMPLAINTS
from amends.search.rebuild import index_fill, register_filler

from .choices import ClaimDemand, EventKind
from .converters import NUMBER_PATTERN
from .list_page import register_list_sort
from .models import Complaint, TimelineEvent
from .signals import (
    after_registration,
    answer_delivered,
    complaint_changed,
    complaint_registered,
    customer_contacted,
    customer_replied,
)

# Timeline entries whose text is a message between the customer and us.
MESSAGE_KINDS = (EventKind.MESSAGE_IN, EventKind.MESSAGE_OUT, EventKind.ANSWER_SENT)
# The card's fields its document holds: a change of any of them re-indexes it.
INDEXED_FIELDS = frozenset({"wording", "contact", "organisation", "claim_demand", "order_reference"})
NUMBER = re.compile(NUMBER_PATTERN)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[\d\s().\-]+")
CHUNK = 2_000
# A search asked again at once (a list page reads its rows, its count and its set-aside counts with
# the same term) is answered from memory; an index write in this process forgets them all.
RECENT_SECONDS = 2.0
_RECENT: dict[tuple[str, int | None], tuple[float, list[int]]] = {}


def _demand_labels() -> dict[str, str]:
    """Each demand in both languages, so that "refund" and "возврат" find it."""
    labels: dict[str, list[str]] = defaultdict(list)
    for language in ("ru", "en"):
        with translation.override(language):
            for value, label in ClaimDemand.choices:
                labels[value].append(str(label))
    return {value: " ".join(texts) for value, texts in labels.items()}


def _documents(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    wanted = set(ids)
    low, high = min(ids), max(ids)
    # Keys close together (an import's are consecutive) read by their range, then only those asked: a
    # list of thousands of keys costs the ORM more than the rows.
    dense = high - low < 2 * len(wanted)
    keys = {"pk__gte": low, "pk__lte": high} if dense else {"pk__in": ids}
    cards = Complaint.objects.filter(**keys).values_list(
        "pk", "number", "order_reference", "wording", "claim_demand", "organisation__name",
        "contact__full_name", "contact__email", "contact__phone_digits", "contact__organisation__name",
    )
    messages: dict[int, list[str]] = defaultdict(list)
    cards_keys = {"complaint_id__gte": low, "complaint_id__lte": high} if dense else {"complaint_id__in": ids}
    events = TimelineEvent.objects.filter(**cards_keys, kind__in=MESSAGE_KINDS).exclude(text="")
    for complaint_id, text in events.values_list("complaint_id", "text").order_by("pk"):
        if complaint_id in wanted:
            messages[complaint_id].append(text)
    demands = _demand_labels()
    documents = {}
    for pk, number, order, wording, demand, organisation, name, email, phone, contact_org in cards:
        if pk not in wanted:
            continue
        ident = " ".join(filter(None, (number, order, organisation, name, email, phone, contact_org)))
        body = f"{wording} {demands.get(demand, '')}"
        documents[pk] = (ident, body, "\n".join(messages[pk]))
    return documents


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def complaints_index(complaint_ids: Iterable[int]) -> int:
    """Index or re-index these cards (any number: read and written by chunks). Returns how many."""
    _RECENT.clear()
    done = 0
    for chunk in _chunks(complaint_ids):
        with transaction.atomic():
            documents = _documents(chunk)
            done += documents_replace(COMPLAINTS, documents)
            documents_delete(COMPLAINTS, set(chunk) - documents.keys())  # cards deleted meanwhile
    return done


def complaints_fill(every_card: bool, progress: Callable[[int], None] | None = None) -> int:
    """Index the cards missing from the index, or every card again."""
    return index_fill(COMPLAINTS, Complaint.objects.all(), complaints_index, every=every_card, progress=progress,
                      chunk=CHUNK)


def complaints_matching(query: str, *, limit: int | None = None) -> list[int]:
    """Ids of the cards matching the query, best first: the card of a number, the cards of an
    e-mail or a phone number first, then the full-text matches by rank."""
    query = query.replace("\x00", " ").strip()
    if not query:
        return []
    key = (query, limit)
    if (recent := _RECENT.get(key)) and time.monotonic() - recent[0] < RECENT_SECONDS:
        return list(recent[1])
    found = _matching(query, limit)
    if len(_RECENT) > 100:
        _RECENT.clear()
    _RECENT[key] = (time.monotonic(), found)
    return list(found)


def _matching(query: str, limit: int | None) -> list[int]:
    found = _exact_matches(query, limit)
    if (limit is not None and len(found) >= limit) or (found and (NUMBER.fullmatch(query) or EMAIL.fullmatch(query))):
        # A card's number names that card, an e-mail its customer's: the words of either ("2026",
        # "mail", "ru") are in too many cards to add anything but time.
        return found[:limit]
    seen = set(found)
    ranked = documents_matching(COMPLAINTS, query, limit=None if limit is None else limit + len(found))
    found += [pk for pk in ranked if pk not in seen]
    return found[:limit] if limit is not None else found


def search_rank(found: list[int]) -> StrIndex:
    """A card's place in `found` (1 for the best), for the list's sort "relevance": one string
    search in the ids, cheaper than a CASE of a thousand branches."""
    places = Value("," + ",".join(map(str, found)) + ",")
    return StrIndex(places, Concat(Value(","), Cast("pk", CharField()), Value(","), output_field=CharField()))


def _exact_matches(query: str, limit: int | None) -> list[int]:
    cards = Complaint.objects.order_by("-received_at", "-pk")
    if NUMBER.fullmatch(query):
        cards = cards.filter(number=query)
    elif EMAIL.fullmatch(query):
        # The contacts first, then their cards (by its index), not the cards joined to their contacts.
        cards = cards.filter(contact__in=Contact.objects.filter(email=query.lower()).values("pk"))
    elif PHONE.fullmatch(query) and len(digits := phone_digits(query)) >= 10:
        # A whole number, however typed (ten digits: without the country code 7).
        cards = cards.filter(contact__in=Contact.objects.filter(phone_digits__in={digits, "7" + digits}).values("pk"))
    elif PHONE.fullmatch(query) and (phone := phone_matches(query, field="contact__phone_digits", min_digits=5)):
        # A part of a number: read through the stored numbers (an index scan, not a seek).
        cards = cards.filter(phone)
    else:
        return []
    return list(cards.values_list("pk", flat=True)[:limit])


def _card_changed(sender, complaint, fields, **kwargs):
    if fields & INDEXED_FIELDS:
        complaints_index([complaint.pk])


def _card_touched(sender, complaint, **kwargs):
    complaints_index([complaint.pk])


def _cards_registered(ids: list[int]) -> None:
    complaints_index(ids)


def _card_registered(sender, complaint, **kwargs):
    # A batch of the worker's is indexed in one go, in its transaction.
    after_registration(_cards_registered, complaint.pk)


def register() -> None:
    """Called from ComplaintsConfig.ready(): the receivers, and the list's sort by relevance."""
    register_list_sort("relevance", "search_rank", "-search_rank")
    register_filler("complaints", COMPLAINTS, complaints_fill)
    complaint_registered.connect(_card_registered, dispatch_uid="search_index.registered")
    touched = {
        "replied": customer_replied,
        "contacted": customer_contacted, "answer_delivered": answer_delivered,
    }
    for name, signal in touched.items():
        signal.connect(_card_touched, dispatch_uid=f"search_index.{name}")
    complaint_changed.connect(_card_changed, dispatch_uid="search_index.changed")
