"""The intake pipeline shared by every channel: store raw, parse, then thread onto a card or register one.

A channel calls `inbound_store` first (committed on its own, so nothing received is lost), then
`inbound_process` with its parser. A parser error or a bad message puts the message in
quarantine with the reason; it is never dropped and can be processed again.
"""

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.access import MESSAGE, access_write
from amends.complaints.choices import FINAL_STATES, Channel, State
from amends.complaints.events import event_sent_despite_check
from amends.complaints.models import Complaint, TimelineEvent, new_tracking_code
from amends.complaints.services import (
    attachment_check,
    complaint_add_message,
    complaint_number_take,
    complaint_prepare,
    complaint_register,
    complaints_register_prepared,
    numbers_hold,
)
from amends.core.budget import TimeBudgetExceeded
from amends.core.errors import AccessDenied
from amends.customers.models import Contact, phone_digits

from .identity import contact_for, contacts_for
from .models import InboundMessage, InboundStatus, Mailbox, OutboundMessage
from .outbound import MESSENGER_SENDERS, WRITTEN, outgoing_text_findings, send_to_customer
from .parsed import IncomingComplaint
from .quarantine import inbound_quarantine_stalled
from .tasks import follow_up_registration_task

logger = logging.getLogger(__name__)


class RegisterOptions(TypedDict, total=False):
    """What complaint_register is given only when the message says it, else its own default applies."""

    importance: str


class Ignored(Exception):
    """The message is not a complaint and needs no answer (auto-reply, bounce, mailing list)."""


Parser = Callable[[InboundMessage], IncomingComplaint]
# The cards registered while a batch collects them, each as [id, language to acknowledge in or ""]:
# the batch queues their follow-up work as one job (queue.py).
_follow_ups: ContextVar[list[list] | None] = ContextVar("intake_follow_ups", default=None)
# Source kind (the part of `source` before ":", e.g. "email" in "email:support") → its parser, or
# the parser's dotted path, imported when first needed: a channel whose module is heavy to import
# (the API's brings in DRF) does not slow down the start of every process (e.g. each mailgate).
PARSERS: dict[str, Parser | str] = {}
# A parser of many messages of one kind at once (what each became, or why it became nothing): one
# query for a batch where the single parser makes one a message.
ManyParser = Callable[[Sequence[InboundMessage]], Sequence[IncomingComplaint | Exception]]
MANY_PARSERS: dict[str, ManyParser] = {}


def register_parser(kind: str, parser: Parser | str, many: ManyParser | None = None) -> None:
    PARSERS[kind] = parser
    if many is not None:
        MANY_PARSERS[kind] = many


def parser_for(message: InboundMessage) -> Parser:
    kind = message.source.split(":", 1)[0]
    if kind not in PARSERS:
        raise LookupError(f"No parser for source {message.source!r}")
    parser = PARSERS[kind]
    if isinstance(parser, str):
        parser = PARSERS[kind] = import_string(parser)
    return parser


def inbound_store(*, channel: str, source: str, raw: bytes, external_ref: str = "") -> tuple[InboundMessage, bool]:
    """Keep what arrived, committed before anything else happens. A repeated reference is a replay:
    the first message is returned and nothing new is stored."""
    external_ref = external_ref.strip()[:300]
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                channel=channel, source=source, raw=raw, external_ref=external_ref,
            ), True
    except IntegrityError:
        if not external_ref:
            raise
        return InboundMessage.objects.stored_under(source, external_ref).get(), False


def inbound_store_numbered(
    *, channel: str, source: str, raw: bytes, received_at: datetime | None = None, submitted_by=None,
) -> InboundMessage:
    """Keep a submission that is certain to become a new card (web form, API) and give it the card's
    number and tracking code, in one short transaction: the customer has both at once, and the card
    is registered from it by the worker a moment later, or by the first request for that number.
    `received_at` is when the customer says they complained, if not now; it gives the number's year."""
    message, _created = inbound_store_numbered_once(
        channel=channel, source=source, raw=raw, received_at=received_at, submitted_by=submitted_by,
    )
    return message


def inbound_store_numbered_once(
    *, channel: str, source: str, raw: bytes, received_at: datetime | None = None, submitted_by=None,
    external_ref: str = "",
) -> tuple[InboundMessage, bool]:
    """`inbound_store_numbered`, and with `external_ref` (a one-time form token) a second submission
    with the same reference returns the first one, False, and stores nothing (nor takes a number)."""
    external_ref = external_ref.strip()[:300]
    if external_ref and (earlier := InboundMessage.objects.stored_under(source, external_ref).first()):
        return earlier, False
    now = timezone.now()
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                channel=channel, source=source, raw=raw, received_at=now, status=InboundStatus.QUEUED,
                number=complaint_number_take(received_at or now), tracking_code=new_tracking_code(),
                submitted_by=submitted_by, external_ref=external_ref,
            ), True
    except IntegrityError:
        if not external_ref:
            raise
        # The same form sent twice at once: the first one stored wins.
        return InboundMessage.objects.stored_under(source, external_ref).get(), False


def inbound_register_number(number: str) -> bool:
    """Register the card of a stored submission at once when its number is asked for before the
    worker is done with it; True if there was one. Should the worker be at it too, the card's
    unique number lets one of them register it and the other find it."""
    message = InboundMessage.objects.filter(
        number=number, status__in=[InboundStatus.QUEUED, InboundStatus.RECEIVED],
    ).first()
    if message is None:
        return False
    inbound_reprocess(message)
    return True


def card_or_registered_now(get_card: Callable[[], Complaint], number: str) -> Complaint:
    """`get_card()`, or, when the card of that number still waits in the intake pipeline, the card
    registered now. Raises Complaint.DoesNotExist as `get_card` does when there is neither."""
    try:
        return get_card()
    except Complaint.DoesNotExist:
        if not inbound_register_number(number):
            raise
    return get_card()


def find_thread(incoming: IncomingComplaint) -> Complaint | None:
    """The card a message continues: its number in the subject, a Message-ID we sent or received,
    or the open card of the same chat."""
    if number := incoming.number_in_subject():
        complaint = Complaint.objects.filter(number=number).select_related("contact").first()
        # Numbers are sequential, so a number alone proves nothing: the sender must be the card's customer.
        if complaint is not None and _same_sender(incoming, complaint):
            return complaint
    if incoming.references:
        sent = OutboundMessage.objects.filter(message_id__in=incoming.references).select_related("complaint").first()
        if sent is not None:
            return sent.complaint
        # By source too, and never the empty reference, so that the partial unique index on
        # (source, external_ref) finds them: a reference alone would read every stored message.
        received = (
            InboundMessage.objects.filter(source__in=email_sources(), external_ref__in=incoming.references,
                                          complaint__isnull=False)
            .exclude(external_ref="").select_related("complaint").first()
        )
        if received is not None:
            return received.complaint
    if incoming.thread_key:
        return _chat_card(incoming.thread_key)
    return None


def find_threads(incomings: Sequence[IncomingComplaint]) -> dict[int, Complaint]:
    """`find_thread` of many messages in three queries, by their number in the subject or their
    references (a chat's thread is left to find_thread): the card each continues, by id() of the
    message; one that continues none is left out."""
    numbers = {incoming.number_in_subject() for incoming in incomings} - {""}
    references = {reference for incoming in incomings for reference in incoming.references}
    cards = Complaint.objects.filter(number__in=numbers).select_related("contact").in_bulk(field_name="number") \
        if numbers else {}
    # Each reference's row of the lowest id, as find_thread's first() reads them.
    sent: dict[str, tuple[int, Complaint]] = {}
    received: dict[str, tuple[int, Complaint]] = {}
    if references:
        for outbound in OutboundMessage.objects.filter(message_id__in=references).select_related("complaint") \
                .order_by("-pk"):
            sent[outbound.message_id] = (outbound.pk, outbound.complaint)
        for inbound in (
            InboundMessage.objects.filter(source__in=email_sources(), external_ref__in=references,
                                          complaint__isnull=False)
            .exclude(external_ref="").select_related("complaint").order_by("-pk")
        ):
            if inbound.complaint is not None:
                received[inbound.external_ref] = (inbound.pk, inbound.complaint)
    found: dict[int, Complaint] = {}
    for incoming in incomings:
        if (number := incoming.number_in_subject()) and (card := cards.get(number)) is not None \
                and _same_sender(incoming, card):
            found[id(incoming)] = card
        elif thread := _first_referenced(incoming.references, sent) or _first_referenced(incoming.references, received):
            found[id(incoming)] = thread
    return found


def _first_referenced(references: list[str], by_reference: dict[str, tuple[int, Complaint]]) -> Complaint | None:
    rows = [by_reference[reference] for reference in references if reference in by_reference]
    return min(rows, key=lambda row: row[0])[1] if rows else None


MAILGATE_SOURCE = "email:mailgate"
# How long a process goes on using the mailboxes' names it read (a mailbox saved in the process is
# seen at once): the worker reads them for every message, and mailboxes are added once in a while.
EMAIL_SOURCES_FOR = 10.0
_email_sources: tuple[float, frozenset[str]] = (float("-inf"), frozenset())


def email_sources() -> frozenset[str]:
    """The sources mail is stored under: the mailgate's and each mailbox's ("email:<name>")."""
    global _email_sources
    read_at, sources = _email_sources
    if time.monotonic() - read_at > EMAIL_SOURCES_FOR:
        names = Mailbox.objects.values_list("name", flat=True)
        sources = frozenset({MAILGATE_SOURCE, *(f"email:{name}" for name in names)})
        _email_sources = (time.monotonic(), sources)
    return sources


@receiver([post_save, post_delete], sender=Mailbox, dispatch_uid="intake_email_sources")
def _mailboxes_changed(**kwargs) -> None:
    global _email_sources
    _email_sources = (float("-inf"), frozenset())


def _chat_card(thread_key: str) -> Complaint | None:
    """A chat has no "reply to": its message continues the chat's open card, else its card closed
    within AMENDS_CHAT_FOLLOWS_CLOSED_DAYS (flagged there as a message after the answer, never
    buried); after that it is a new complaint. Duplicates and withdrawn cards continue nothing."""
    latest = (
        Complaint.objects.filter(thread_key=thread_key)
        .exclude(state__in=(State.DUPLICATE, State.WITHDRAWN)).order_by("-received_at").first()
    )
    if latest is None or latest.state not in FINAL_STATES:
        return latest
    since = timezone.now() - timedelta(days=settings.AMENDS_CHAT_FOLLOWS_CLOSED_DAYS)
    return latest if latest.closed_at is not None and latest.closed_at >= since else None


def _same_sender(incoming: IncomingComplaint, complaint: Complaint) -> bool:
    contact = complaint.contact
    if contact is None:
        return False
    email = incoming.email.strip().lower()
    if email and contact.email and email == contact.email.strip().lower():
        return True
    digits = phone_digits(incoming.phone)
    return len(digits) >= 5 and digits == contact.phone_digits


@transaction.atomic
def inbound_accept(
    *, message: InboundMessage, incoming: IncomingComplaint, thread: Complaint | None = None,
) -> InboundMessage:
    """Thread the message onto its card (`thread` when the caller found it), or register a new
    complaint and acknowledge it."""
    target = thread or find_thread(incoming)
    if target is not None:
        complaint_add_message(
            complaint=target, incoming=True, text=incoming.reply_text or incoming.text,
            attachments=incoming.attachments,
        )
        status = InboundStatus.THREADED
    else:
        target = complaint_register(
            **_registration(message, incoming, contact_for(incoming)), attachments=incoming.attachments,
        )
        status = InboundStatus.REGISTERED
    if incoming.on_accepted is not None:
        incoming.on_accepted(target)
    InboundMessage.objects.filter(pk=message.pk).update(
        status=status, complaint=target, processed_at=timezone.now(), reason="",
    )
    message.status, message.complaint = status, target
    if status == InboundStatus.REGISTERED:
        # After the message is on its card, which the acknowledgement answers (outbound.mail_headers).
        _follow_up(target, incoming)
    return message


def _follow_up(complaint: Complaint, incoming: IncomingComplaint) -> None:
    """A new card's duplicate search and acknowledgement: listed for the batch collecting them, else
    queued in the card's transaction (done by the worker, never lost, never twice)."""
    language = (incoming.language or settings.LANGUAGE_CODE) if incoming.acknowledge else ""
    collected = _follow_ups.get()
    if collected is not None:
        collected.append([complaint.pk, language])
    elif incoming.acknowledge:
        follow_up_registration_task.enqueue(complaint.pk, language)


@contextmanager
def follow_ups_collected() -> Iterator[list[list]]:
    """Within it, new cards are listed for the caller to follow up instead of each queuing its own job."""
    collected: list[list] = []
    token = _follow_ups.set(collected)
    try:
        yield collected
    finally:
        _follow_ups.reset(token)


def inbound_process(message: InboundMessage, parse: Parser) -> InboundMessage:
    """Parse and accept one stored message; whatever goes wrong lands in quarantine, never raises."""
    InboundMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1)
    return _process(message, parse)


def inbound_process_batch(messages: Sequence[InboundMessage]) -> None:
    """`inbound_process` of each claimed submission of a batch, in order, without counting attempts
    (see queue.py); call it in the batch's transaction, within `follow_ups_collected`. New cards,
    with their files, are written together (complaints_register_prepared). The cards replies
    continue are looked up for the batch at once; a reply is added to its card at once, as it
    does not touch the new cards. A message is accepted alone, once the cards before it are
    written, when it may continue a card that an earlier message of the batch made or continued,
    or it has its channel's own follow-up (a chat's thread, a messenger's files); so is each
    message of a group whose writing failed as a whole."""
    parsed = _parsed(messages)
    threads = find_threads([incoming for incoming in parsed if isinstance(incoming, IncomingComplaint)])
    numbers_hold()  # before the first write: what every batch locks, it locks in the same order
    earlier = _Earlier()
    group: list[tuple[InboundMessage, IncomingComplaint]] = []
    for message, incoming in zip(messages, parsed, strict=True):
        if isinstance(incoming, LookupError):  # no parser for its source, or a parser's
            _finish(message, InboundStatus.QUARANTINED, str(incoming))
        elif isinstance(incoming, Exception):
            _failed(message, incoming)
        elif _accepted_alone(incoming) or earlier.continued_by(incoming):
            _accept_together(group)
            group = []
            _accept_alone(message, incoming)
        elif (target := threads.get(id(incoming))) is not None:
            _accept_alone(message, incoming, thread=target)
        else:
            group.append((message, incoming))
        earlier.add(message)
    _accept_together(group)


def _parsed(messages: Sequence[InboundMessage]) -> list[IncomingComplaint | Exception]:
    """Each message parsed, by its kind's parser of many when it has one: what it became, or the
    exception that says why it became nothing (LookupError: no parser for its source)."""
    parsed: list[IncomingComplaint | Exception | None] = [None] * len(messages)
    by_kind: dict[str, list[int]] = {}
    for index, message in enumerate(messages):
        by_kind.setdefault(message.source.split(":", 1)[0], []).append(index)
    for kind, indexes in by_kind.items():
        if kind in MANY_PARSERS:
            results = MANY_PARSERS[kind]([messages[index] for index in indexes])
            for index, result in zip(indexes, results, strict=True):
                parsed[index] = result
            continue
        for index in indexes:
            try:
                parsed[index] = parser_for(messages[index])(messages[index])
            except Exception as error:  # noqa: BLE001 - what _failed does not take is raised again
                parsed[index] = error
    return [result for result in parsed if result is not None]


class _Earlier:
    """What the batch's earlier messages are known by, so that a message that may continue one of
    their cards waits until those are written: their references at the source and card numbers."""

    def __init__(self):
        self.references: set[str] = set()
        self.numbers: set[str] = set()

    def add(self, message: InboundMessage) -> None:
        if message.external_ref:
            self.references.add(message.external_ref)
        if message.number:
            self.numbers.add(message.number)

    def continued_by(self, incoming: IncomingComplaint) -> bool:
        return (incoming.number_in_subject() in self.numbers
                or any(reference in self.references for reference in incoming.references))


def _accepted_alone(incoming: IncomingComplaint) -> bool:
    """A message whose thread or channel hook needs the single path: a chat's, a messenger's files."""
    return bool(incoming.thread_key or incoming.remote_files or incoming.on_accepted)


def _accept_alone(
    message: InboundMessage, incoming: IncomingComplaint, thread: Complaint | None = None,
) -> InboundMessage:
    try:
        return inbound_accept(message=message, incoming=incoming, thread=thread)
    except Exception as error:  # noqa: BLE001 - what _failed does not take is raised again
        return _failed(message, error)


def _accept_together(group: list[tuple[InboundMessage, IncomingComplaint]]) -> None:
    """New cards of a batch, written at once, each as inbound_accept registers it; a message whose
    card cannot be prepared is accepted alone (and quarantined with its reason)."""
    if not group:
        return
    try:
        with transaction.atomic():
            ready, alone = _prepared(group)
            cards = complaints_register_prepared([card for _message, _incoming, card in ready])
            _messages_registered([message for message, _incoming, _card in ready], cards)
    except Exception as error:  # noqa: BLE001 - each message on its own then says what became of it
        # A card a request registered meanwhile, the database, or one bad message.
        logger.info("A batch of %d submissions is registered one by one: %s", len(group), error)
        for message, incoming in group:
            _accept_alone(message, incoming)
        return
    for (_message, incoming, _card), complaint in zip(ready, cards, strict=True):
        _follow_up(complaint, incoming)
    for message, incoming in alone:
        _accept_alone(message, incoming)


def _prepared(group: list[tuple[InboundMessage, IncomingComplaint]]) -> tuple[list, list]:
    """The group's cards ready to write, each with its message and incoming complaint; and the
    messages to accept alone (a contact or a card that does not pass the checks)."""
    ready, alone = [], []
    contacts = contacts_for([incoming for _message, incoming in group])
    for (message, incoming), contact in zip(group, contacts, strict=True):
        if isinstance(contact, ValidationError):
            alone.append((message, incoming))
            continue
        try:
            card = complaint_prepare(**_registration(message, incoming, contact))
            for upload in incoming.attachments:
                attachment_check(upload)
            card.attachments = incoming.attachments
        except (ValidationError, AccessDenied):
            alone.append((message, incoming))
            continue
        except TimeBudgetExceeded as error:  # the message the worker's budget ran out on, and only it
            _failed(message, error)
            continue
        ready.append((message, incoming, card))
    return ready, alone


def _registration(message: InboundMessage, incoming: IncomingComplaint, contact: Contact | None) -> dict:
    """What complaint_register is given for a new card from this message."""
    extra: RegisterOptions = {"importance": incoming.importance} if incoming.importance else {}
    return dict(
        actor=incoming.registered_by, channel=incoming.channel, wording=incoming.text,
        received_at=incoming.received_at or message.received_at, contact=contact,
        product=incoming.product, category=incoming.category,
        order_reference=incoming.order_reference, external_id=incoming.external_id,
        thread_key=incoming.thread_key, consent_text=incoming.consent_text, consent_at=incoming.consent_at,
        duplicates="caller" if incoming.acknowledge or _follow_ups.get() is not None else "queued",
        number=message.number, tracking_code=message.tracking_code,
        request_type=incoming.request_type, claim_demand=incoming.claim_demand, **extra,
    )


def _messages_registered(messages: list[InboundMessage], cards: list[Complaint]) -> None:
    """Each message REGISTERED on its card, as inbound_accept records it, in one statement."""
    now, q = timezone.now(), connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {q(InboundMessage._meta.db_table)} SET {q('status')} = %s, {q('complaint_id')} = %s, "
            f"{q('processed_at')} = %s, {q('reason')} = '' WHERE {q('id')} = %s",
            [(InboundStatus.REGISTERED, complaint.pk, connection.ops.adapt_datetimefield_value(now), message.pk)
             for message, complaint in zip(messages, cards, strict=True)],
        )
    for message, complaint in zip(messages, cards, strict=True):
        message.status, message.complaint, message.processed_at, message.reason = (
            InboundStatus.REGISTERED, complaint, now, "",
        )


def _process(message: InboundMessage, parse: Parser) -> InboundMessage:
    try:
        incoming = parse(message)
        return inbound_accept(message=message, incoming=incoming)
    except Exception as error:  # noqa: BLE001 - what _failed does not take is raised again
        return _failed(message, error)


def _failed(message: InboundMessage, error: Exception) -> InboundMessage:
    """What becomes of a message its parser or its registration failed on."""
    if isinstance(error, Ignored):
        return _finish(message, InboundStatus.IGNORED, str(error))
    if isinstance(error, IntegrityError):
        # A submission's card registered by a concurrent run (the worker, or a request for its number).
        card = Complaint.objects.filter(number=message.number).first() if message.number else None
        if card is None:
            raise error
        return _finish(message, InboundStatus.REGISTERED, "", complaint=card)
    if isinstance(error, OperationalError):
        # The database, not the message (SQLite locked past its timeout, a dropped connection): left
        # as it is, for the worker once the claim expires or the next request for its number.
        logger.warning("Inbound message %s left for later: %s", message.pk, error)
        return message
    if isinstance(error, ValueError):  # what parsers raise for bad input: the reason says it all
        logger.warning("Inbound message %s quarantined: %s", message.pk, error)
        return _finish(message, InboundStatus.QUARANTINED, f"{type(error).__name__}: {error}")
    # A bad message must not stop the channel.
    logger.warning("Inbound message %s quarantined: %s", message.pk, error, exc_info=error)
    return _finish(message, InboundStatus.QUARANTINED, f"{type(error).__name__}: {error}")


def inbound_reprocess(message: InboundMessage) -> InboundMessage:
    """Try a quarantined message again, e.g. after the parser was fixed."""
    if message.status not in (InboundStatus.QUARANTINED, InboundStatus.RECEIVED, InboundStatus.QUEUED):
        return message
    if message.status != InboundStatus.QUARANTINED and inbound_quarantine_stalled(message):
        return message
    try:
        parse = parser_for(message)
    except LookupError as error:
        return _finish(message, InboundStatus.QUARANTINED, str(error))
    return inbound_process(message, parse)


@transaction.atomic
def message_to_customer(*, complaint: Complaint, actor: User, text: str, reason: str = "") -> TimelineEvent:
    """Write to the customer from the card: on the timeline now, sent on their channel after commit.
    A text the checks of outgoing texts find fault with (the tone check) goes only with a reason,
    kept on the timeline."""
    access_write(actor, complaint, MESSAGE)
    if not text.strip():
        raise ValidationError({"text": _("The message is empty.")})
    findings = outgoing_text_findings(text)
    if findings and not reason.strip():
        raise ValidationError({"reason": [
            _("The tone check found what follows: rephrase, or give a reason to send it as it is."), *findings,
        ]})
    event = complaint_add_message(complaint=complaint, incoming=False, text=text, actor=actor)
    if findings:
        event_sent_despite_check(complaint, actor, reason=reason.strip(), findings=findings)
    subject = _("About your complaint No. %(number)s") % {"number": complaint.number}
    transaction.on_commit(lambda: send_to_customer(complaint, subject=subject, text=text.strip(), purpose=WRITTEN))
    return event


def customer_reachable_by(complaint: Complaint) -> str:
    """How a message written on the card reaches the customer: a channel name, or "" if it cannot."""
    prefix = complaint.thread_key.split(":", 1)[0] if complaint.thread_key else ""
    if prefix in MESSENGER_SENDERS:
        return complaint.get_channel_display()
    contact = complaint.contact  # no query when the card has no contact
    if contact is not None and contact.email:
        return contact.email
    if complaint.channel == Channel.WEB_FORM:
        # The site showed them their tracking link, where messages from the card appear.
        return _("their tracking page")
    return ""


def _finish(message: InboundMessage, status: str, reason: str, complaint: Complaint | None = None) -> InboundMessage:
    InboundMessage.objects.filter(pk=message.pk).update(
        status=status, reason=reason[:5000], processed_at=timezone.now(),
        **({"complaint": complaint} if complaint is not None else {}),
    )
    message.status, message.reason = status, reason
    if complaint is not None:
        message.complaint = complaint
    return message
