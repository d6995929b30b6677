"""E-mail intake: keep the bytes first, then register, thread, ignore or quarantine, one message at a time.

Used by `amends mailgate` (one message from an MTA) and by IMAP polling. Both are safe to
repeat: a message already stored is recognised by its Message-ID (or by its UID on the
server, or by a hash of its bytes) and is not registered twice.
"""

import hashlib
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.quarantine import inbound_quarantine_stalled
from amends.intake.services import inbound_process, inbound_store

from .headers import message_id
from .parser import parse_stored

MAILGATE_SOURCE = "email:mailgate"
FINISHED = frozenset({
    InboundStatus.REGISTERED, InboundStatus.THREADED, InboundStatus.IGNORED, InboundStatus.QUARANTINED,
})


class Receipt(NamedTuple):
    message: InboundMessage
    replay: bool  # the same message was stored before; nothing new was stored


def mailbox_source(name: str) -> str:
    return f"email:{name}"


def _header_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\r\n\r\n", 0, 256 * 1024), raw.find(b"\n\n", 0, 256 * 1024)) if i >= 0]
    return min(ends) if ends else min(len(raw), 256 * 1024)


def _body(raw: bytes) -> bytes:
    return raw[_header_end(raw):].lstrip(b"\r\n")


def email_reference(raw: bytes) -> str:
    """The Message-ID, read from the header section only; "" when there is none."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:_header_end(raw)])
        return message_id(str(headers.get("message-id", "") or ""))[:300]
    except Exception:  # noqa: BLE001 - unreadable headers: the caller falls back to another reference
        return ""


def email_store(*, raw: bytes, source: str, external_ref: str = "") -> Receipt:
    """Keep the bytes (committed). A second delivery of a stored message stores nothing; a different
    message that reuses a Message-ID (some mailers do) is kept under a reference of its own."""
    reference = external_ref or email_reference(raw) or f"sha256:{hashlib.sha256(raw).hexdigest()}"
    message, created = inbound_store(channel=Channel.EMAIL, source=source, raw=raw, external_ref=reference)
    if not created and _body(bytes(message.raw)) != _body(raw):
        reference = f"{reference[:220]} sha256:{hashlib.sha256(raw).hexdigest()}"
        message, created = inbound_store(channel=Channel.EMAIL, source=source, raw=raw, external_ref=reference)
    return Receipt(message, replay=not created)


def email_process(message: InboundMessage) -> InboundMessage:
    """Parse and register or thread a stored message unless that was done already; the card is
    committed on return. The conditional update locks the row and tells whether it still waits, so
    two pollers fetching the same mail never register it twice."""
    with transaction.atomic():
        waiting = InboundMessage.objects.filter(pk=message.pk, status=InboundStatus.RECEIVED)
        if not waiting.update(status=InboundStatus.RECEIVED):
            return InboundMessage.objects.get(pk=message.pk)
        if inbound_quarantine_stalled(message):
            return message
        return inbound_process(message, parse_stored)


def email_receive(*, raw: bytes, source: str, external_ref: str = "") -> Receipt:
    """Store, then process: what `amends mailgate` and the IMAP poller do with each message."""
    receipt = email_store(raw=raw, source=source, external_ref=external_ref)
    return Receipt(email_process(receipt.message), receipt.replay)


class NotStored(Exception):
    """The message could not be kept: whoever handed it over must keep it and try again."""


def mailgate_deliver(raw: bytes) -> str:
    """What `amends mailgate` does with one message, read from its pipe or posted by its relay: store
    it (NotStored if that fails), then process it; returns one line on what became of it. A failure
    after storing is reported, not raised: the message is kept and `poll_mail` processes it again."""
    try:
        receipt = email_store(raw=raw, source=MAILGATE_SOURCE)
    except Exception as error:
        raise NotStored(f"the message could not be stored, the MTA should retry: {error}") from error
    try:
        message = email_process(receipt.message)
    except Exception as error:  # noqa: BLE001 - it is stored; `poll_mail` processes it again later
        return (f"inbound message #{receipt.message.pk} is kept; processing failed and will be retried: "
                f"{type(error).__name__}: {error}")
    return describe(receipt._replace(message=message))


def email_retry_pending(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Process again the mail that was stored but never processed (the process stopped in between)."""
    pending = InboundMessage.objects.filter(
        channel=Channel.EMAIL, source__startswith="email:", status=InboundStatus.RECEIVED,
        received_at__lt=timezone.now() - older_than,
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
    if message.complaint is not None:
        line += f", complaint {message.complaint.number}"
    if message.reason:
        line += f" ({message.reason[:300]})"
    return line + (" (already received before)" if receipt.replay else "")
