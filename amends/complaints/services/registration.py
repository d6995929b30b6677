"""Registering a complaint from any channel: its number, its card, its first timeline events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.access import access_register_complaint
from amends.accounts.models import Department, User
from amends.core.bulk import insert_rows
from amends.core.errors import AccessDenied

from .. import signals
from ..choices import Channel, Importance, Origin, RequestType
from ..events import event_registered, event_registered_row
from ..models import Complaint, NumberSequence, TimelineEvent
from .timeline import attachment_check, attachment_store

REGISTRATION_RELATIONS = (
    "contact", "organisation", "product", "component", "supplier", "category",
    "department_concerned", "registered_by",
)
DUPLICATE_SEARCHES = ("queued", "now", "caller")


def _next_number(year: int) -> str:
    """Take the next number of the year in one statement; the row stays locked until commit."""
    return f"{year}-{_numbers_take(year, 1):06d}"


def complaint_number_take(received_at: datetime) -> str:
    """The next number of the year `received_at` falls in, for a submission stored to become a card
    later; call it inside the transaction that stores the submission."""
    return _next_number(timezone.localtime(received_at).year)


def numbers_hold() -> None:
    """Hold this year's numbers until commit, as taking one does. A worker's batch does this before
    its first write: one that threaded a reply first would hold that card while waiting for the
    numbers another batch holds, which may wait for the same card (a deadlock)."""
    _numbers_take(timezone.localtime().year, 0)


def complaint_register(
    *, actor: User | None, channel: str, wording: str, received_at: datetime | None = None,
    origin: str = Origin.EXTERNAL, contact=None, organisation=None, product=None,
    component=None, supplier=None, category=None, importance: str = Importance.MEDIUM,
    order_reference: str = "", project: str = "", employee_concerned: str = "",
    department_concerned: Department | None = None, attachments: Sequence[UploadedFile] = (),
    external_id: str = "", thread_key: str = "", consent_text: str = "", consent_at: datetime | None = None,
    duplicates: str = "queued", number: str = "", tracking_code: str = "", acknowledge: bool = False,
    request_type: str = RequestType.COMPLAINT, claim_demand: str = "",
) -> Complaint:
    """Register a complaint from any channel and give it its number (DOMAIN.md §1).

    `actor` is the employee who registers it; None when a channel (web form, e-mail,
    messenger) registers it by itself. The near-duplicate search (`duplicates`) is "queued" for the
    worker so that channels answer fast, runs "now" (after commit) for the operator's screen, or is
    left to a "caller" that queues it with its own follow-up work. Everything is checked before the
    transaction opens, so that it holds the database (SQLite: the whole file) only for the writes.

    A `number` and `tracking_code` come with a submission accepted earlier (web form, API), which
    the customer was given then; its actor's right to register was checked when it was accepted.
    `acknowledge` asks for the customer's acknowledgement to be sent (the operator's screen); a
    channel sends its own.
    """
    card = complaint_prepare(
        actor=actor, channel=channel, wording=wording, received_at=received_at, origin=origin, contact=contact,
        organisation=organisation, product=product, component=component, supplier=supplier, category=category,
        importance=importance, order_reference=order_reference, project=project,
        employee_concerned=employee_concerned, department_concerned=department_concerned,
        external_id=external_id, thread_key=thread_key, consent_text=consent_text, consent_at=consent_at,
        duplicates=duplicates, number=number, tracking_code=tracking_code, acknowledge=acknowledge,
        request_type=request_type, claim_demand=claim_demand,
    )
    return _create_card(card, attachments)


@dataclass
class PreparedCard:
    """A card checked and ready to insert, with what its complaint_registered signal says."""

    complaint: Complaint
    actor: User | None
    duplicates: str = "queued"
    acknowledge: bool = False
    filed_internally: bool = False
    # Checked files (attachment_check) stored with the card, as complaint_register stores them.
    attachments: Sequence[UploadedFile] = ()


def complaint_prepare(
    *, actor: User | None, channel: str, wording: str, received_at: datetime | None = None,
    origin: str = Origin.EXTERNAL, contact=None, organisation=None, product=None,
    component=None, supplier=None, category=None, importance: str = Importance.MEDIUM,
    order_reference: str = "", project: str = "", employee_concerned: str = "",
    department_concerned: Department | None = None, external_id: str = "", thread_key: str = "",
    consent_text: str = "", consent_at: datetime | None = None, duplicates: str = "queued", number: str = "",
    tracking_code: str = "", acknowledge: bool = False, request_type: str = RequestType.COMPLAINT,
    claim_demand: str = "",
) -> PreparedCard:
    """What `complaint_register` checks and builds before it writes (its arguments, without files);
    raises as it does. `complaints_register_prepared` writes many such cards at once."""
    if actor is not None and not number:
        access_register_complaint(actor)
    if channel == Channel.INTERNAL:
        origin = Origin.INTERNAL
    if organisation is None and contact is not None:
        organisation = contact.organisation
    # Without a tracking code the model draws one.
    given_code: dict[str, Any] = {"tracking_code": tracking_code} if tracking_code else {}
    return _card_checked(
        actor=actor, received_at=received_at or timezone.now(),
        channel=channel, origin=origin, contact=contact, organisation=organisation, product=product,
        component=component, supplier=supplier, category=category, importance=importance,
        order_reference=order_reference.strip(), project=project.strip(),
        employee_concerned=employee_concerned.strip(), department_concerned=department_concerned,
        wording=wording.strip(), external_id=external_id.strip(), thread_key=thread_key,
        consent_text=consent_text, consent_at=consent_at, duplicates=duplicates, number=number,
        acknowledge=acknowledge, request_type=request_type, claim_demand=claim_demand, **given_code,
    )


def complaint_file_internal(
    *, actor: User, department_concerned: Department | None, wording: str, employee_concerned: str = "",
    importance: str = Importance.MEDIUM, attachments: Sequence[UploadedFile] = (),
) -> Complaint:
    """Any employee's complaint about another department's failure: an appeal to the QMS,
    routed to the head of the QMS (DOMAIN.md §1)."""
    if not actor.is_active:
        raise AccessDenied("Only active employees file internal complaints.")
    if department_concerned is None:
        raise ValidationError({"department_concerned": _("Choose the department the complaint is about.")})
    card = _card_checked(
        actor=actor, received_at=timezone.now(), channel=Channel.INTERNAL, duplicates="now",
        origin=Origin.INTERNAL, department_concerned=department_concerned, wording=wording.strip(),
        employee_concerned=employee_concerned.strip(), importance=importance, filed_internally=True,
    )
    return _create_card(card, attachments)


def _card_checked(
    *, actor: User | None, duplicates: str, number: str = "", filed_internally: bool = False,
    acknowledge: bool = False, **fields: Any,
) -> PreparedCard:
    if duplicates not in DUPLICATE_SEARCHES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_SEARCHES}, not {duplicates!r}")
    complaint = Complaint(registered_by=actor, number=number or "pending", **fields)
    # Related objects arrive as loaded instances: skip re-reading each one to check it exists. The only
    # unique field left is the random tracking code; the database's constraint guards it.
    complaint.full_clean(exclude=["number", *REGISTRATION_RELATIONS], validate_unique=False)
    if not number:
        complaint.number = ""  # taken when it is written
    return PreparedCard(complaint, actor, duplicates, acknowledge, filed_internally)


def _create_card(card: PreparedCard, attachments: Sequence[UploadedFile]) -> Complaint:
    for upload in attachments:
        attachment_check(upload)
    complaint, actor = card.complaint, card.actor
    with transaction.atomic():
        if not complaint.number:
            complaint.number = complaint_number_take(complaint.received_at)
        complaint.save()
        event_registered(complaint, actor)
        for upload in attachments:
            attachment_store(complaint, upload, actor)
        _announce(card)
    return complaint


def _announce(card: PreparedCard) -> None:
    signals.complaint_registered.send(
        sender=Complaint, complaint=card.complaint, actor=card.actor, duplicates=card.duplicates,
        acknowledge=card.acknowledge,
    )
    if card.filed_internally:
        signals.internal_complaint_filed.send(sender=Complaint, complaint=card.complaint)


def complaints_register_prepared(cards: Sequence[PreparedCard]) -> list[Complaint]:
    """Write prepared cards as `complaint_register` writes each (numbers in the order given, the same
    timeline entry, the same signals), with one insert per table: the worker's batches. Receivers
    that use `signals.after_registration` do their work once for all of them."""
    with transaction.atomic():
        _numbers_give([card.complaint for card in cards if not card.complaint.number])
        complaints = Complaint.objects.bulk_create([card.complaint for card in cards])
        insert_rows(TimelineEvent, [event_registered_row(card.complaint, card.actor) for card in cards])
        for card in cards:
            for upload in card.attachments:
                attachment_store(card.complaint, upload, card.actor)
        with signals.registrations_batched():
            for card in cards:
                _announce(card)
    return complaints


def _numbers_give(complaints: list[Complaint]) -> None:
    """The next numbers of each card's year, in order, one statement a year."""
    by_year: dict[int, list[Complaint]] = {}
    for complaint in complaints:
        by_year.setdefault(timezone.localtime(complaint.received_at).year, []).append(complaint)
    for year, cards in by_year.items():
        last = _numbers_take(year, len(cards))
        for offset, complaint in enumerate(cards):
            complaint.number = f"{year}-{last - len(cards) + 1 + offset:06d}"


def _numbers_take(year: int, count: int) -> int:
    """Take `count` numbers of the year in one statement; the last one taken (see _next_number)."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + %s WHERE year = %s RETURNING last", [count, year])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    try:
        with transaction.atomic():
            NumberSequence.objects.create(year=year, last=count)
    except IntegrityError:
        return _numbers_take(year, count)
    return count
