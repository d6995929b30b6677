"""Registering a complaint from any channel: its number, its card, its first timeline events."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.access import access_register_complaint
from amends.accounts.models import Department, User
from amends.core.errors import AccessDenied

from .. import signals
from ..choices import Channel, Importance, Origin, RequestType
from ..events import event_registered
from ..models import Complaint, NumberSequence
from .timeline import attachment_check, attachment_store

REGISTRATION_RELATIONS = (
    "contact", "organisation", "product", "component", "supplier", "category",
    "department_concerned", "registered_by",
)
DUPLICATE_SEARCHES = ("queued", "now", "caller")


def _next_number(year: int) -> str:
    """Take the next number of the year in one statement; the row stays locked until commit."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])
        row = cursor.fetchone()
    if row is not None:
        return f"{year}-{row[0]:06d}"
    try:
        with transaction.atomic():
            NumberSequence.objects.create(year=year, last=1)
    except IntegrityError:
        # A concurrent registration opened the year first; its row is committed now.
        return _next_number(year)
    return f"{year}-{1:06d}"


def complaint_number_take(received_at: datetime) -> str:
    """The next number of the year `received_at` falls in, for a submission stored to become a card
    later; call it inside the transaction that stores the submission."""
    return _next_number(timezone.localtime(received_at).year)


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
    if actor is not None and not number:
        access_register_complaint(actor)
    if channel == Channel.INTERNAL:
        origin = Origin.INTERNAL
    if organisation is None and contact is not None:
        organisation = contact.organisation
    # Without a tracking code the model draws one.
    given_code: dict[str, Any] = {"tracking_code": tracking_code} if tracking_code else {}
    return _create_card(
        actor=actor, attachments=attachments, received_at=received_at or timezone.now(),
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
    return _create_card(
        actor=actor, attachments=attachments, received_at=timezone.now(), channel=Channel.INTERNAL,
        origin=Origin.INTERNAL, department_concerned=department_concerned, wording=wording.strip(),
        employee_concerned=employee_concerned.strip(), importance=importance, filed_internally=True,
    )


def _create_card(
    *, actor: User | None, attachments: Sequence[UploadedFile], duplicates: str = "now", number: str = "",
    filed_internally: bool = False, acknowledge: bool = False, **fields: Any,
) -> Complaint:
    if duplicates not in DUPLICATE_SEARCHES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_SEARCHES}, not {duplicates!r}")
    for upload in attachments:
        attachment_check(upload)
    complaint = Complaint(registered_by=actor, number=number or "pending", **fields)
    # Related objects arrive as loaded instances: skip re-reading each one to check it exists. The only
    # unique field left is the random tracking code; the database's constraint guards it.
    complaint.full_clean(exclude=["number", *REGISTRATION_RELATIONS], validate_unique=False)
    with transaction.atomic():
        if not number:
            complaint.number = complaint_number_take(complaint.received_at)
        complaint.save()
        event_registered(complaint, actor)
        for upload in attachments:
            attachment_store(complaint, upload, actor)
        signals.complaint_registered.send(
            sender=Complaint, complaint=complaint, actor=actor, duplicates=duplicates, acknowledge=acknowledge,
        )
        if filed_internally:
            signals.internal_complaint_filed.send(sender=Complaint, complaint=complaint)
    return complaint
