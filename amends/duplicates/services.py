"""Finding the cards a new complaint may duplicate (DOMAIN.md §1), and the operator's "not a duplicate".

`duplicates_check` runs at registration from any channel, `draft_matches` while the operator types.
The database narrows the search (open cards and cards received within the window; band keys shared
with the new wording; the same contact or order No.), and only the few cards found are compared in
Python, from their stored signatures. A duplicate is the same customer's complaint sent again: only
cards of the same contact (e-mail, phone) or order No. are offered as duplicates; another customer's
card with a similar wording is a similar complaint (a possible mass problem), never a duplicate. A
card the same contact sent with the same text within 24 hours is linked at once.
"""

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.choices import OPEN_STATES, State
from amends.complaints.events import event_note
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_transition
from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed
from amends.customers.models import Contact, phone_digits

from . import detector
from .access import access_decide_duplicate
from .indexes import band_index_ready
from .models import DUPLICATE_REASONS, DuplicateCandidate, Reason, SignatureBand, TextSignature

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 30
# Measured with bench/duplicates.py: the best mean F1 over the four data sets.
DEFAULT_THRESHOLD = 0.65
# "The same text": an equal normalised wording, or a score at least this high.
SAME_TEXT_SCORE = 0.9
MAX_CANDIDATES = 10  # kept per card of each kind (duplicates, similar complaints), best first
MAX_SCORED = 100  # cards sharing band keys that are scored, most shared keys first
# Cards read per band key (and per digest), the latest first. Common phrasing and templates make
# some keys shared by thousands of cards; reading them all made each check grow with the table.
# A key that many cards share says little, so only its latest cards, the likeliest in scope, are read.
MAX_KEY_CARDS = 100
MAX_SAME_CONTACT = 50  # the contact's (and the order's) most recent cards looked at
MIN_ORDER_REFERENCE = 3  # shorter order numbers ("1", "12") say nothing about the order


def auto_link_within() -> timedelta:
    """How soon a repeat of the same text by the same contact is linked without asking (0: never)."""
    return timedelta(hours=settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS)


def window() -> timedelta:
    return timedelta(days=getattr(settings, "AMENDS_DUPLICATE_WINDOW_DAYS", DEFAULT_WINDOW_DAYS))


def threshold() -> float:
    return float(getattr(settings, "AMENDS_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def signatures_store(complaints: Iterable[Complaint]) -> dict[int, detector.Signature]:
    """Compute and store the signature and band keys of each card's current wording."""
    return _signatures_save({c.pk: detector.signature(c.wording) for c in complaints})


def _signatures_save(signatures: dict[int, detector.Signature]) -> dict[int, detector.Signature]:
    signatures_write(signatures)
    return signatures


def signatures_write(signatures: dict[int, detector.Signature]) -> None:
    """Store each card's signature and band keys in place of those it had."""
    if not signatures:
        return
    # In the order of the cards: two workers signing some of the same cards wait for each other, never
    # each for the other (a deadlock).
    signatures = dict(sorted(signatures.items()))
    q = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("complaint_id", "size", "sketch", "digest", "updated_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {q(TextSignature._meta.db_table)} ({', '.join(map(q, columns))}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({q(columns[0])}) "
            f"DO UPDATE SET {', '.join(f'{q(c)} = excluded.{q(c)}' for c in columns[1:])}",
            [(pk, s.size, s.sketch_bytes(), s.digest, now) for pk, s in signatures.items()],
        )
        SignatureBand.objects.filter(complaint_id__in=signatures).delete()
        # A card's keys, or on PostgreSQL the batch's, in one row of parameters: binding each key
        # took longer than the insert.
        bands, cards = q(SignatureBand._meta.db_table), f"{q('complaint_id')}, {q('key')}"
        if connection.vendor == "postgresql":
            rows = [(pk, key) for pk, s in signatures.items() for key in s.bands]
            cursor.execute(
                f"INSERT INTO {bands} ({cards}) SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
                [[pk for pk, _key in rows], [key for _pk, key in rows]],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {bands} ({cards}) SELECT %s, value FROM json_each(%s)",
                [(pk, json.dumps(s.bands)) for pk, s in signatures.items()],
            )


@dataclass(frozen=True)
class Probe:
    """What the search needs of the card being checked, or of the operator's draft (no pk yet)."""

    pk: int | None
    received_at: datetime
    contact: Contact | None
    order_reference: str

    @classmethod
    def of(cls, complaint: Complaint) -> "Probe":
        return cls(complaint.pk, complaint.received_at, complaint.contact, complaint.order_reference)


def _in_scope(probe: Probe, prefix: str = "") -> Q:
    """Open cards and cards received within the window, except this one and known duplicates."""
    since, until = probe.received_at - window(), probe.received_at + window()
    return (
        (Q(**{f"{prefix}state__in": OPEN_STATES}) | Q(**{f"{prefix}received_at__range": (since, until)}))
        & ~Q(**{f"{prefix}state": State.DUPLICATE})
        & ~Q(**{f"{prefix}pk": probe.pk})
    )


def _order_reference(reference: str) -> str:
    """The order No. compared, or "" when too short to tell one order from another."""
    reference = reference.strip()
    return reference if len(reference) >= MIN_ORDER_REFERENCE else ""


def _same_customer(probe: Probe) -> tuple[set[int], set[int]]:
    """Cards of this contact, or of another contact record with the same e-mail or phone; and cards
    of the same order No. whoever sent them. One statement: the contacts are a subquery."""
    contact, reference = probe.contact, _order_reference(probe.order_reference)
    same = Q(pk=contact.pk) if contact is not None and contact.pk else Q(pk__in=[])
    if contact is not None and contact.email:
        same |= Q(email=contact.email)
    if contact is not None and len(contact.phone_digits) >= 7:
        same |= Q(phone_digits=contact.phone_digits)
    # Contacts first, through their indexes; then their cards through the contact index.
    contacts = Contact.objects.filter(same).values("pk")[:MAX_SAME_CONTACT]
    customer = Q(contact_id__in=contacts)
    if not reference:
        cards = Complaint.objects.filter(_in_scope(probe), customer).annotate(by_contact=Value(True))
    else:
        cards = Complaint.objects.filter(_in_scope(probe), customer | Q(order_reference=reference)).annotate(
            by_contact=ExpressionWrapper(customer, output_field=BooleanField()),
        )
    found = cards.order_by("-received_at").values_list("pk", "by_contact")[:MAX_SAME_CONTACT]
    by_contact: set[int] = set()
    by_order: set[int] = set()
    for pk, contact_matched in found:
        (by_contact if contact_matched else by_order).add(pk)
    return by_contact, by_order


def _same_customer_many(probes: Sequence[Probe]) -> list[tuple[set[int], set[int]]]:
    """`_same_customer` of each probe, in two statements for all of them: the contacts that share a
    contact's e-mail or phone, then the cards of those contacts and of the order Nos., each probe
    taking its own from them as its own statement would."""
    contact_pks, emails, digits, references = set(), set(), set(), set()
    for probe in probes:
        contact = probe.contact
        if contact is not None and contact.pk:
            contact_pks.add(contact.pk)
        if contact is not None and contact.email:
            emails.add(contact.email)
        if contact is not None and len(contact.phone_digits) >= 7:
            digits.add(contact.phone_digits)
        if reference := _order_reference(probe.order_reference):
            references.add(reference)
    contacts = list(Contact.objects.filter(
        Q(pk__in=contact_pks) | Q(email__in=emails) | Q(phone_digits__in=digits),
    ).values_list("pk", "email", "phone_digits")) if contact_pks or emails or digits else []
    per_probe = []
    for probe in probes:
        contact = probe.contact
        mine = [
            pk for pk, email, phone in contacts
            if contact is not None and ((contact.pk and pk == contact.pk) or (contact.email and email == contact.email)
                                        or (len(contact.phone_digits) >= 7 and phone == contact.phone_digits))
        ][:MAX_SAME_CONTACT]
        per_probe.append(set(mine))
    wanted = Q(contact_id__in=set().union(*per_probe)) | Q(order_reference__in=references)
    cards = list(Complaint.objects.filter(wanted).exclude(state=State.DUPLICATE).order_by("-received_at").values_list(
        "pk", "contact_id", "order_reference", "state", "received_at",
    )) if any(per_probe) or references else []
    found = []
    for probe, theirs in zip(probes, per_probe, strict=True):
        reference = _order_reference(probe.order_reference)
        by_contact: set[int] = set()
        by_order: set[int] = set()
        taken = 0
        for pk, contact_id, card_reference, state, received_at in cards:
            if taken >= MAX_SAME_CONTACT:
                break
            same_contact = contact_id in theirs
            if pk == probe.pk or not (same_contact or (reference and card_reference == reference)):
                continue
            if not _within(probe, state, received_at):
                continue
            (by_contact if same_contact else by_order).add(pk)
            taken += 1
        found.append((by_contact, by_order))
    return found


def _similar_text(probe: Probe, signature: detector.Signature) -> set[int]:
    """The MAX_SCORED cards in scope that share the most band keys with the wording (the latest
    first among equals); each key's latest cards read by a bounded index range."""
    keys = _keys(signature, band_index_ready())
    stored, scope = _latest_sharers_many(set(keys))
    return _most_shared(probe, keys, stored, scope)


def _most_shared(probe: Probe, keys: list[tuple[str, int | str]], sharers: dict[tuple[str, int | str], list[int]],
                 scope: dict[int, tuple[str, datetime]]) -> set[int]:
    """Of the cards sharing these keys (each key's MAX_KEY_CARDS latest, the latest first), the
    MAX_SCORED in scope that share the most, the latest first among equals."""
    shared = Counter(chain.from_iterable(sharers.get(key, [])[:MAX_KEY_CARDS] for key in keys))
    in_scope = [pk for pk in shared if pk != probe.pk and _within(probe, *scope[pk])]
    return set(sorted(in_scope, key=lambda pk: (-shared[pk], -pk))[:MAX_SCORED])


@dataclass(frozen=True)
class Card:
    """What scoring and showing need of another card; building a whole Complaint per candidate costs
    more than the scoring itself."""

    pk: int
    number: str
    received_at: datetime
    channel: str
    state: str


@dataclass(frozen=True)
class Match:
    """A card found for a wording: a possible duplicate (the same customer or order) or another
    customer's similar complaint."""

    card: Card
    score: float
    reason: Reason

    @property
    def is_duplicate(self) -> bool:
        return self.reason in DUPLICATE_REASONS


def _signatures_of(pks: set[int], *, store: bool = True) -> dict[int, tuple[detector.Signature, Card]]:
    """Stored signatures of these cards, with what is shown of them; a card without one is signed now,
    and the signature stored unless `store` is false (a search that must not write)."""
    rows = TextSignature.objects.filter(complaint_id__in=pks).values_list(
        "complaint_id", "size", "sketch", "digest",
        "complaint__number", "complaint__received_at", "complaint__channel", "complaint__state",
    )
    found = {
        pk: (
            detector.Signature(size, detector.Signature.sketch_from_bytes(sketch), (), digest),
            Card(pk, number, received_at, channel, state),
        )
        for pk, size, sketch, digest, number, received_at, channel, state in rows
    }
    unsigned = {
        card.pk: card
        for card in Complaint.objects.filter(pk__in=pks - found.keys()).only(
            "pk", "number", "received_at", "channel", "state", "wording",
        )
    }
    signed = {}
    if unsigned and store:
        with transaction.atomic():
            signed = signatures_store(unsigned.values())
    elif unsigned:
        signed = {pk: detector.signature(card.wording) for pk, card in unsigned.items()}
    for pk, signature in signed.items():
        card = unsigned[pk]
        found[pk] = (signature, Card(card.pk, card.number, card.received_at, card.channel, card.state))
    return found


def candidate_reason(*, same_contact: bool, same_order: bool, score: float, threshold: float) -> Reason | None:
    """Why a card is shown beside a wording, or None: a duplicate needs the same customer (contact,
    e-mail, phone) or the same order No., whatever the text; another customer's card only with a
    similar text, and then as a similar complaint, never as a duplicate."""
    if same_contact:
        return Reason.SAME_CONTACT_SAME_TEXT if score >= SAME_TEXT_SCORE else Reason.SAME_CONTACT
    if same_order:
        return Reason.SAME_ORDER
    if score >= threshold:
        return Reason.SIMILAR_TEXT
    return None


def _matches(probe: Probe, signature: detector.Signature, *, store: bool = True) -> list[Match]:
    """The cards to show beside a wording: at most MAX_CANDIDATES possible duplicates, best first, then
    at most MAX_CANDIDATES similar complaints of other customers."""
    same_contact, same_order = _same_customer(probe)
    cards = _signatures_of(same_contact | same_order | _similar_text(probe, signature), store=store)
    return _matches_scored(signature, same_contact, same_order, cards)


def _matches_scored(
    signature: detector.Signature, same_contact: set[int], same_order: set[int],
    cards: dict[int, tuple[detector.Signature, Card]],
) -> list[Match]:
    mine, limit = frozenset(signature.sketch), threshold()
    found = []
    for pk, (other, card) in cards.items():
        if not (signature.size and other.size):
            score = 0.0
        elif other.digest == signature.digest:
            score = 1.0
        else:
            score = round(detector.score(signature, other, a_set=mine), 4)
        reason = candidate_reason(
            same_contact=pk in same_contact, same_order=pk in same_order, score=score, threshold=limit,
        )
        if reason is not None:
            found.append(Match(card, score, reason))
    found.sort(key=lambda m: (not m.is_duplicate, m.reason != Reason.SAME_CONTACT_SAME_TEXT, -m.score,
                              m.card.received_at))
    duplicates = [m for m in found if m.is_duplicate][:MAX_CANDIDATES]
    return duplicates + [m for m in found if not m.is_duplicate][:MAX_CANDIDATES]


def _candidates(complaint: Complaint, signature: detector.Signature) -> list[tuple[DuplicateCandidate, Card]]:
    return [
        (DuplicateCandidate(complaint=complaint, candidate_id=m.card.pk, score=m.score, reason=m.reason), m.card)
        for m in _matches(Probe.of(complaint), signature)
    ]


def draft_matches(
    *, wording: str, contact: Contact | None = None, email: str = "", phone: str = "", order_reference: str = "",
) -> list[Match]:
    """The cards the operator's draft may duplicate, or resembles, before it is registered: the same
    search as at registration, for a customer chosen (`contact`) or typed (`email`, `phone`). Writes
    nothing: a card found unsigned is signed in memory only."""
    if contact is None and (email.strip() or phone.strip()):
        contact = Contact(email=email.strip().lower(), phone_digits=phone_digits(phone))
    signature = detector.signature(wording)
    if not (signature.size or contact is not None or _order_reference(order_reference)):
        return []
    return _matches(Probe(None, timezone.now(), contact, order_reference), signature, store=False)


def _auto_link(complaint: Complaint, candidates: list[tuple[DuplicateCandidate, Card]]) -> None:
    """The same contact sent the same text within 24 hours: the later card duplicates the first."""
    if complaint.state not in OPEN_STATES or not auto_link_within():
        return
    originals = [
        card for candidate, card in candidates
        if candidate.reason == Reason.SAME_CONTACT_SAME_TEXT
        and (card.received_at, card.pk) < (complaint.received_at, complaint.pk)
        and complaint.received_at - card.received_at <= auto_link_within()
    ]
    if originals and complaint.contact is not None:
        # Another contact record with the same e-mail or phone links only when neither is provisional:
        # anyone can type a customer's e-mail into a public form (intake's "Same customer" confirms it).
        same = Q(contact_id=complaint.contact.pk)
        if not complaint.contact.provisional:
            same |= Q(contact__provisional=False)
        linkable = set(
            Complaint.objects.filter(same, pk__in=[card.pk for card in originals]).values_list("pk", flat=True)
        )
        originals = [card for card in originals if card.pk in linkable]
    if not originals:
        return
    original = min(originals, key=lambda card: (card.received_at, card.pk))
    try:
        complaint_transition(
            complaint=complaint, name="mark_duplicate", actor=None,
            data={"original_number": original.number},
            comment=_("Linked automatically: the same contact sent the same text in %(number)s "
                      "less than %(hours)d hours earlier.")
            % {"number": original.number, "hours": settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS},
        )
    except (AccessDenied, StaleObject, TransitionNotAllowed, ValidationError) as error:
        # The operator still sees the candidate and can mark the card by hand.
        logger.warning("Complaint %s was not linked to %s: %s", complaint.number, original.number, error)
        return
    complaint.refresh_from_db()


def duplicates_check(*, complaint: Complaint) -> list[DuplicateCandidate]:
    """Store the card's signature, find and store the cards it may duplicate, link an obvious resend.

    Call it when a card is registered and again when its wording or contact changes. Candidates
    the operator dismissed stay dismissed; others no longer found are removed.
    """
    kept = duplicates_store(complaint=complaint)
    stored = DuplicateCandidate.objects.filter(complaint=complaint, candidate_id__in=kept).select_related("candidate")
    return sorted(stored, key=lambda c: kept.index(c.candidate_id))


def duplicates_store(*, complaint: Complaint) -> list[int]:
    """`duplicates_check` for a caller that needs no candidates back (the worker's follow-up of new
    cards): the ids of the cards it may duplicate, best first."""
    signature = detector.signature(complaint.wording)
    # The search only reads, so it runs before the transaction: on SQLite a transaction holds the
    # whole database, and intake on every channel would wait for the search.
    candidates = _candidates(complaint, signature)
    kept = [candidate.candidate_id for candidate, _card in candidates]
    with transaction.atomic():
        _signatures_save({complaint.pk: signature})
        DuplicateCandidate.objects.filter(complaint=complaint, dismissed=False).exclude(
            candidate_id__in=kept,
        ).delete()
        DuplicateCandidate.objects.bulk_create(
            [candidate for candidate, _card in candidates], update_conflicts=True,
            unique_fields=["complaint", "candidate"], update_fields=["score", "reason"],
        )
        _auto_link(complaint, candidates)
    return kept


def duplicates_store_many(complaints: Sequence[Complaint]) -> None:
    """`duplicates_store` of new cards, oldest first (a batch's), as if each were checked in turn, its
    own band keys stored before the next one's search: the band keys and digests of all of them are
    read in a few statements, the cards found signed in one, and everything written in one transaction."""
    cards = list(complaints)
    signatures = {card.pk: detector.signature(card.wording) for card in cards}
    keyed = band_index_ready()
    keys = {card.pk: _keys(signatures[card.pk], keyed) for card in cards}
    stored, scope = _latest_sharers_many({key for card_keys in keys.values() for key in card_keys})
    earlier: dict[tuple[str, int | str], list[int]] = {}  # a key's cards of this batch, the latest first
    similar: dict[int, set[int]] = {}
    for card in cards:
        sharers = {key: earlier.get(key, []) + stored.get(key, []) for key in keys[card.pk]}
        similar[card.pk] = _most_shared(Probe.of(card), keys[card.pk], sharers, scope)
        for key in keys[card.pk]:
            earlier.setdefault(key, []).insert(0, card.pk)
        scope[card.pk] = (card.state, card.received_at)
    customers = dict(zip(
        [card.pk for card in cards], _same_customer_many([Probe.of(card) for card in cards]), strict=True,
    ))
    batch = {card.pk: (signatures[card.pk], Card(card.pk, card.number, card.received_at, card.channel, card.state))
             for card in cards}
    wanted = set().union(*similar.values(), *(a | b for a, b in customers.values()))
    signed = {**_signatures_of(wanted - batch.keys()), **batch}
    found = {}
    for card in cards:
        same_contact, same_order = customers[card.pk]
        others = {pk: signed[pk] for pk in similar[card.pk] | same_contact | same_order if pk in signed}
        found[card.pk] = [
            (DuplicateCandidate(complaint=card, candidate_id=m.card.pk, score=m.score, reason=m.reason), m.card)
            for m in _matches_scored(signatures[card.pk], same_contact, same_order, others)
        ]
    with transaction.atomic():
        _signatures_save(signatures)
        _candidates_replace(found)
        for card in cards:
            _auto_link(card, found[card.pk])


def _keys(signature: detector.Signature, keyed: bool) -> list[tuple[str, int | str]]:
    """What a wording shares with similar ones (see _similar_text): its band keys (unless their index
    is being built) and its digest; nothing for a wording without words."""
    if not signature.size:
        return []
    return [*(("band", key) for key in (signature.bands if keyed else ())), ("digest", signature.digest)]


def _within(probe: Probe, state: str, received_at: datetime) -> bool:
    """_in_scope, for a card read already."""
    if state == State.DUPLICATE:
        return False
    return state in OPEN_STATES or probe.received_at - window() <= received_at <= probe.received_at + window()


def _latest_sharers_many(
    keys: set[tuple[str, int | str]],
) -> tuple[dict[tuple[str, int | str], list[int]], dict[int, tuple[str, datetime]]]:
    """For each key, its MAX_KEY_CARDS latest cards, the latest first, in one statement per kind of
    key whatever their number, each key a bounded index range: the rows read do not grow with the
    table; and the state and time of receipt of each card found."""
    q = connection.ops.quote_name
    tables = {
        "band": (q(SignatureBand._meta.db_table), q("key"), "bigint"),
        "digest": (q(TextSignature._meta.db_table), q("digest"), "text"),
    }
    found: dict[tuple[str, int | str], list[int]] = {}
    scope: dict[int, tuple[str, datetime]] = {}
    for kind, (table, column, array_type) in tables.items():
        values = [value for key_kind, value in keys if key_kind == kind]
        if not values:
            continue
        with connection.cursor() as cursor:
            cursor.execute(_sharers_of_each_sql(table, column, array_type), [_array_parameter(values)])
            for which, pk, state, received_at in cursor.fetchall():
                found.setdefault((kind, values[which]), []).append(pk)
                if pk not in scope:
                    scope[pk] = (state, _datetime(received_at))
    return found, scope


def _sharers_of_each_sql(table: str, column: str, array_type: str) -> str:
    """The cards of each value of one parameter (an array), at most MAX_KEY_CARDS latest each, as
    rows of (the value's position, card, its state, its time of receipt): one bounded index range
    per value. A statement of its own per value, or one compound statement of hundreds of parts,
    cost more to prepare than to run."""
    q = connection.ops.quote_name
    card, pk, complaints = q("complaint_id"), q("id"), q(Complaint._meta.db_table)
    if connection.vendor == "postgresql":
        each = (f"unnest(%s::{array_type}[]) WITH ORDINALITY AS wanted(value, position) CROSS JOIN LATERAL "
                f"(SELECT {card} FROM {table} WHERE {column} = wanted.value "
                f"ORDER BY {card} DESC LIMIT {MAX_KEY_CARDS}) AS shared")
        position = "wanted.position - 1"
    else:  # no LATERAL: the range of each value starts at its MAX_KEY_CARDS-th latest card
        each = (f"json_each(%s) AS wanted JOIN {table} AS shared ON shared.{column} = wanted.value "
                f"AND shared.{card} >= coalesce((SELECT {card} FROM {table} WHERE {column} = wanted.value "
                f"ORDER BY {card} DESC LIMIT 1 OFFSET {MAX_KEY_CARDS - 1}), 0)")
        position = "wanted.key"
    return (f"SELECT {position}, shared.{card}, c.{q('state')}, c.{q('received_at')} FROM {each} "
            f"JOIN {complaints} AS c ON c.{pk} = shared.{card} ORDER BY 1, 2 DESC")


def _array_parameter(values: list) -> list | str:
    """A list as one statement parameter: an array on PostgreSQL, JSON for SQLite's json_each."""
    return values if connection.vendor == "postgresql" else json.dumps(values)


def _datetime(value: datetime | str) -> datetime:
    """A time read by a raw statement, aware: SQLite gives the text Django wrote (UTC), or that
    text already read as a time without its zone."""
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    if parsed is None:
        raise ValueError(f"Not a time: {value!r}")
    return timezone.make_aware(parsed, UTC) if timezone.is_naive(parsed) else parsed


def _candidates_replace(found: dict[int, list[tuple[DuplicateCandidate, Card]]]) -> None:
    """duplicates_store's writes of the candidates, for many cards: those no longer found go (unless
    dismissed), those found are stored or updated."""
    kept = {(card_pk, candidate.candidate_id) for card_pk, pairs in found.items() for candidate, _card in pairs}
    stale = [
        pk for pk, card_pk, candidate_pk in DuplicateCandidate.objects.filter(
            complaint_id__in=found, dismissed=False,
        ).values_list("pk", "complaint_id", "candidate_id")
        if (card_pk, candidate_pk) not in kept
    ]
    DuplicateCandidate.objects.filter(pk__in=stale).delete()
    DuplicateCandidate.objects.bulk_create(
        [candidate for pairs in found.values() for candidate, _card in pairs], update_conflicts=True,
        unique_fields=["complaint", "candidate"], update_fields=["score", "reason"],
    )


@transaction.atomic
def duplicate_dismiss(*, candidate: DuplicateCandidate, actor: User) -> DuplicateCandidate:
    """The operator's "not a duplicate": the candidate is no longer offered and the card's timeline says so."""
    candidate = DuplicateCandidate.objects.select_for_update().select_related("complaint", "candidate").get(
        pk=candidate.pk,
    )
    access_decide_duplicate(actor, candidate.complaint)
    if candidate.dismissed:
        return candidate
    candidate.dismissed = True
    candidate.save(update_fields=["dismissed"])
    event_note(candidate.complaint, actor, _("Not a duplicate of %(number)s.") % {"number": candidate.candidate.number})
    return candidate
