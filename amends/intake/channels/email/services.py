"""E-mail intake: keep the bytes, and let the worker register, thread, ignore or quarantine them.

A message is safe once its raw bytes are committed, the same promise an MTA's queue makes: then
IMAP marks it \\Seen (or moves it) and `amends mailgate` answers the MTA. The worker takes it
from there in its batches (intake/queue.py), as it does the web form's and the API's submissions.
Storing is safe to repeat: a message already stored is recognised by its Message-ID (or by its
UID on the server, or by a hash of its bytes) and stored once.
"""

import hashlib
import re
from datetime import timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.quarantine import inbound_quarantine_stalled
from amends.intake.services import MAILGATE_SOURCE, inbound_process

from .headers import message_id
from .parser import parse_stored

FINISHED = frozenset({
    InboundStatus.REGISTERED, InboundStatus.THREADED, InboundStatus.IGNORED, InboundStatus.QUARANTINED,
})
HEADERS_SCANNED = 256 * 1024
# The Message-ID header with its folded continuation lines, read from the raw header section.
_MESSAGE_ID_HEADER = re.compile(rb"^message-id[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


class Receipt(NamedTuple):
    message: InboundMessage
    replay: bool  # the same message was stored before; nothing new was stored


class Arrived(NamedTuple):
    raw: bytes
    # How the source knows it when it has no Message-ID (an IMAP UID); else a hash of its bytes is used.
    fallback_ref: str = ""


def mailbox_source(name: str) -> str:
    return f"email:{name}"


def _header_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\r\n\r\n", 0, HEADERS_SCANNED), raw.find(b"\n\n", 0, HEADERS_SCANNED)) if i >= 0]
    return min(ends) if ends else min(len(raw), HEADERS_SCANNED)


def _body(raw: bytes) -> bytes:
    return raw[_header_end(raw):].lstrip(b"\r\n")


def _digest(raw: bytes) -> str:
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


def email_reference(raw: bytes) -> str:
    """The Message-ID, read from the header section only, without parsing the message; "" when none."""
    found = _MESSAGE_ID_HEADER.search(raw, 0, _header_end(raw))
    if found is None:
        return ""
    return message_id(found.group(1).decode("ascii", "surrogateescape"))[:300]


def emails_store(arrived: list[Arrived], *, source: str) -> list[Receipt]:
    """Keep a batch of messages, committed, queued for the worker: one look-up and one insert for
    the batch. A second delivery of a stored message stores nothing; a different message that
    reuses a Message-ID (some mailers do) is kept under a reference of its own. Receipts are in
    the order given. Should the batch fail to store (a concurrent delivery of the same message,
    a message the database refuses), each is stored on its own: one raises, the rest are kept."""
    references = [(email_reference(raw) or fallback or _digest(raw)).strip()[:300] for raw, fallback in arrived]
    known = _stored(source, references)
    reused = [_variant(reference, raw) for (raw, _), reference in zip(arrived, references, strict=True)
              if reference in known and _body(bytes(known[reference].raw)) != _body(raw)]
    known |= _stored(source, reused)
    receipts: list[Receipt | None] = []
    fresh: dict[str, InboundMessage] = {}
    for (raw, _fallback), reference in zip(arrived, references, strict=True):
        earlier = known.get(reference) or fresh.get(reference)
        if earlier is not None and _body(bytes(earlier.raw)) != _body(raw):
            reference = _variant(reference, raw)
            earlier = known.get(reference) or fresh.get(reference)
        if earlier is not None:
            receipts.append(Receipt(earlier, replay=True))
            continue
        fresh[reference] = _queued(raw, source, reference)
        receipts.append(None)
    try:
        if fresh:
            with transaction.atomic():
                InboundMessage.objects.bulk_create(fresh.values())
    except IntegrityError:
        return [email_store(raw=raw, source=source, fallback_ref=fallback) for raw, fallback in arrived]
    created = iter(fresh.values())
    return [receipt or Receipt(next(created), replay=False) for receipt in receipts]


def email_store(*, raw: bytes, source: str, fallback_ref: str = "") -> Receipt:
    """Keep one message, committed, queued for the worker (see `emails_store`)."""
    reference = (email_reference(raw) or fallback_ref or _digest(raw)).strip()[:300]
    for candidate in (reference, _variant(reference, raw)):
        # Inserted first, looked up only when the reference is taken: a new message (nearly every
        # one) costs one statement, and the unique index decides between concurrent deliveries.
        try:
            with transaction.atomic():
                return Receipt(_queued(raw, source, candidate, save=True), replay=False)
        except IntegrityError as refused:
            earlier = InboundMessage.objects.stored_under(source, candidate).first()
            if earlier is None:  # refused for another reason than a stored reference
                raise refused
        if _body(bytes(earlier.raw)) == _body(raw):
            return Receipt(earlier, replay=True)
    raise IntegrityError(f"Another message is stored under the reference {reference!r} and its variant")


def _variant(reference: str, raw: bytes) -> str:
    """The reference of a message that reuses another one's Message-ID."""
    return f"{reference[:220]} {_digest(raw)}"


def _stored(source: str, references: list[str]) -> dict[str, InboundMessage]:
    """The messages of this source already stored under these references. The empty reference is
    excluded so that SQLite uses the partial unique index on (source, external_ref)."""
    if not references:
        return {}
    stored = InboundMessage.objects.filter(source=source, external_ref__in=set(references)).exclude(external_ref="")
    return {message.external_ref: message for message in stored}


def _queued(raw: bytes, source: str, reference: str, *, save: bool = False) -> InboundMessage:
    message = InboundMessage(
        channel=Channel.EMAIL, source=source, raw=raw, external_ref=reference, status=InboundStatus.QUEUED,
        received_at=timezone.now(),
    )
    if save:
        message.save(force_insert=True)
    return message


def email_process(message: InboundMessage) -> InboundMessage:
    """Parse and register or thread a stored message now, unless that was done already; the card is
    committed on return. The conditional update locks the row and tells whether it still waits, so
    a worker's batch and this never register it twice."""
    with transaction.atomic():
        waiting = InboundMessage.objects.filter(
            pk=message.pk, status__in=[InboundStatus.QUEUED, InboundStatus.RECEIVED],
        )
        if not waiting.update(status=InboundStatus.RECEIVED):
            return InboundMessage.objects.get(pk=message.pk)
        if inbound_quarantine_stalled(message):
            return message
        return inbound_process(message, parse_stored)


def email_receive(*, raw: bytes, source: str, fallback_ref: str = "") -> Receipt:
    """Store, then process at once rather than in the worker's next batch: for a caller that needs
    the outcome now (the admin's tools, the tests of what comes after a card)."""
    receipt = email_store(raw=raw, source=source, fallback_ref=fallback_ref)
    return Receipt(email_process(receipt.message), receipt.replay)


class NotStored(Exception):
    """The message could not be kept: whoever handed it over must keep it and try again."""


def mailgate_deliver(raw: bytes) -> str:
    """What `amends mailgate` does with one message, read from its pipe or posted by its relay: store
    it, queued for the worker (NotStored if that fails); returns one line on what became of it."""
    try:
        receipt = email_store(raw=raw, source=MAILGATE_SOURCE)
    except Exception as error:
        raise NotStored(f"the message could not be stored, the MTA should retry: {error}") from error
    return describe(receipt)


def email_retry_pending(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Process again, one by one, mail an earlier version stored unclaimed and never finished, once
    it is `older_than` old. Mail a worker took and never finished is the worker's once its claim
    expires (queue.inbound_retry_expired): one owner each, so that no message is processed twice."""
    pending = InboundMessage.objects.filter(
        channel=Channel.EMAIL, source__startswith="email:", status=InboundStatus.RECEIVED,
        claimed_at__isnull=True, received_at__lt=timezone.now() - older_than,
    )
    count = 0
    for message in pending.iterator():
        email_process(message)
        count += 1
    return count


def describe(receipt: Receipt) -> str:
    """One line for logs and the mailgate's standard error."""
    message = receipt.message
    line = f"inbound message #{message.pk}: {message.status}"
    if message.complaint_id is not None and (complaint := message.complaint) is not None:
        line += f", complaint {complaint.number}"
    if message.reason:
        line += f" ({message.reason[:300]})"
    return line + (" (already received before)" if receipt.replay else "")
