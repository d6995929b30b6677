"""An e-mail as it arrived (RFC 822 bytes) → the complaint it carries, or the reason it carries none.

`parse_email` is pure: bytes in, `IncomingEmail` out, or `Ignored` for mail a machine wrote, or
`MalformedEmail` (a ValueError) for mail that cannot become a card; the pipeline quarantines
the latter with the reason. `parse_stored` is the parser the pipeline calls for the sources
"email:<mailbox>" and "email:mailgate"; importing this module registers it.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser

from django.utils.translation import gettext as _

from amends.complaints.choices import Channel
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import Ignored, email_sources, register_parser

from .attachments import Body, collect
from .automatic import check_not_automatic
from .errors import EmptyEmail, MalformedEmail, UnreadableEmail
from .headers import Headers, message_id, message_ids, parse_address, sent_at
from .large import HEADERS_MAX, LargeBodies, set_aside
from .text import clean_text

logger = logging.getLogger(__name__)

_HEADER_LINE = re.compile(rb"[!-9;-~]+:")
# Without any of these it is not a mail message but some other bytes.
_MAIL_HEADERS = ("from", "sender", "reply-to", "to", "subject", "date", "message-id", "received", "return-path")


@dataclass
class IncomingEmail(IncomingComplaint):
    message_id: str = ""
    refused: list[str] = field(default_factory=list)


def parse_email(raw: bytes) -> IncomingEmail:
    """Read the structure with compat32, the lenient policy (it finds the parts of a multipart whose
    boundary parameter is malformed, and it is several times faster here, since every header is
    decoded by this package anyway); a message that trips it is read again with policy.default."""
    if not raw or raw.isspace():
        raise EmptyEmail(_("The message is empty."))
    raw, large = set_aside(repair_header_block(raw))
    try:
        return _read(BytesParser(policy=policy.compat32).parsebytes(raw), large)
    except (Ignored, MalformedEmail):
        raise
    except RecursionError as error:
        raise MalformedEmail(_("The message nests its MIME parts too deep.")) from error
    except Exception as error:  # noqa: BLE001 - try the other policy before giving up
        logger.debug("compat32 failed (%s: %s); reading with policy.default", type(error).__name__, error)
    try:
        return _read(BytesParser(policy=policy.default).parsebytes(raw), large)
    except (Ignored, MalformedEmail):
        raise
    except Exception as error:
        raise UnreadableEmail(f"Unreadable message: {type(error).__name__}: {error}") from error


def repair_header_block(raw: bytes) -> bytes:
    """Drop stray lines that are not headers from between headers: the `email` package would
    otherwise take the first one for the start of the body and lose every header after it."""
    ends = [i for i in (raw.find(b"\r\n\r\n", 0, HEADERS_MAX), raw.find(b"\n\n", 0, HEADERS_MAX)) if i >= 0]
    end = min(ends) if ends else min(len(raw), HEADERS_MAX)
    lines = raw[:end].splitlines(keepends=True)
    headers = [bool(_HEADER_LINE.match(line)) or (index == 0 and line.startswith(b"From "))
               for index, line in enumerate(lines)]
    last = max((index for index, is_header in enumerate(headers) if is_header), default=-1)
    kept = [line for index, line in enumerate(lines[:last + 1])
            if headers[index] or (index and line[:1] in b" \t")]
    if len(kept) == last + 1:
        return raw
    return b"".join(kept + lines[last + 1:]) + raw[end:]


def _read(message: Message, large: LargeBodies) -> IncomingEmail:
    headers = Headers(message)
    if not any(name in headers for name in _MAIL_HEADERS):
        raise MalformedEmail(_("Not an e-mail message: it has no mail headers."))
    name, address = parse_address(headers.raw("from"))
    if not address:
        sender_name, address = parse_address(headers.raw("sender"))
        name = name or sender_name
    reply_name, reply_address = parse_address(headers.raw("reply-to"))
    own_id = message_id(headers.raw("message-id"))
    check_not_automatic(headers, sender=address, content_type=message.get_content_type(), message_id=own_id)
    subject = headers.text("subject")[:500]
    body: Body = collect(message, large)
    text = _complaint_text(subject, body.text, body.refused, has_files=bool(body.files))
    if not text:
        raise EmptyEmail(" ".join([_("The message has no subject, no text and no attachments."), *body.refused]))
    return IncomingEmail(
        channel=Channel.EMAIL, text=text,
        name=_contact_name(name, address, reply_name, reply_address)[:300], email=reply_address or address,
        subject=subject, received_at=sent_at(headers.raw("date")),
        message_id=own_id,
        references=message_ids(headers.raw("in-reply-to"), *headers.all_raw("references")),
        attachments=body.files, refused=body.refused,
        reply_text=_complaint_text("", body.new_text, body.refused, has_files=bool(body.files))
        or text,
    )


def _contact_name(name: str, address: str, reply_name: str, reply_address: str) -> str:
    """The name that goes with the address answers are sent to: a web shop's form writes From itself
    and puts the customer in Reply-To, so From's name is used only when both addresses agree."""
    if not reply_address or reply_address == address:
        return name or reply_name
    return reply_name


def _complaint_text(subject: str, body: str, refused: list[str], *, has_files: bool) -> str:
    parts = [subject] if subject and not body.startswith(subject) else []
    if body:
        parts.append(body)
    elif has_files:
        parts.append(_("(No text: see the attachments.)"))
    return clean_text("\n\n".join(parts + refused)) if parts else ""


def parse_stored(message: InboundMessage) -> IncomingEmail:
    """The pipeline's parser for e-mail sources: a copy of a message that already came through
    another mailbox is not registered twice."""
    parsed = parse_stored_many([message])[0]
    if isinstance(parsed, Exception):
        raise parsed
    return parsed


def parse_stored_many(messages: Sequence[InboundMessage]) -> list[IncomingEmail | Exception]:
    """`parse_stored` of each message, with one query for the copies among them: what each became,
    or the exception that says why it became nothing."""
    parsed: list[IncomingEmail | Exception] = []
    for message in messages:
        try:
            parsed.append(parse_email(bytes(message.raw)))
        except Exception as error:  # noqa: BLE001 - the pipeline decides what each error means
            parsed.append(error)
    copies = _copies_received({incoming.message_id for incoming in parsed
                               if isinstance(incoming, IncomingEmail) and incoming.message_id})
    for index, (message, incoming) in enumerate(zip(messages, parsed, strict=True)):
        if isinstance(incoming, IncomingEmail) and incoming.message_id:
            earlier = [(source, number) for source, number in copies.get(incoming.message_id, ())
                       if source != message.source]
            if earlier:
                source, number = earlier[0]
                parsed[index] = Ignored(f"A copy of a message already received through {source} (complaint {number})")
    return parsed


def _copies_received(message_ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    """The same message sent to two of our addresses arrives through two sources: register it once.
    Each Message-ID's registered or threaded messages, as (source, card number)."""
    if not message_ids:
        return {}
    received = (
        InboundMessage.objects.filter(source__in=email_sources(), external_ref__in=message_ids,
                                      status__in=[InboundStatus.REGISTERED, InboundStatus.THREADED])
        .exclude(external_ref="")  # lets SQLite use the partial unique index on (source, external_ref)
        .order_by().values_list("external_ref", "source", "complaint__number")
    )
    copies: dict[str, list[tuple[str, str]]] = {}
    for reference, source, number in received:
        copies.setdefault(reference, []).append((source, number))
    return copies


register_parser("email", parse_stored, many=parse_stored_many)
