"""Sending to the customer on the channel they used: e-mail here, messengers register their own sender."""

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from amends.complaints.models import Complaint
from amends.core.links import absolute_url

from .models import InboundMessage, InboundStatus, OutboundAttachment, OutboundMessage

logger = logging.getLogger(__name__)

# The purpose of a message a person wrote on the card: the only mail to a customer without an
# Auto-Submitted header (RFC 3834). Any other purpose, "" included, is automatic mail.
WRITTEN = "written"
# An e-mail's reference at the source is its Message-ID, or that ID and a hash when the ID was reused.
_STORED_MESSAGE_ID = re.compile(r"^<[^<>\s]{1,250}>")
# The customer's e-mails a reply threads under: those that became or joined the card.
_ON_THE_CARD = frozenset({InboundStatus.REGISTERED, InboundStatus.THREADED})

# thread_key prefix ("telegram", "vk", ...) → function(complaint, text) -> OutboundMessage
MessengerSender = Callable[[Complaint, str], OutboundMessage]
MESSENGER_SENDERS: dict[str, MessengerSender] = {}
# The same prefix → function(outbound) -> bool: send a stored message (again), recording the attempt.
MessengerDeliverer = Callable[[OutboundMessage], bool]
MESSENGER_DELIVERERS: dict[str, MessengerDeliverer] = {}
# Told of every attempt to send stored messages, after each is recorded on its row (sent_at or error),
# with the messages of one attempt each (a batch's acknowledgements at once): the answers app
# follows its deliveries this way, intake knowing nothing of them.
OutboundResultHook = Callable[[Sequence[OutboundMessage]], None]
_RESULT_HOOKS: list[OutboundResultHook] = []


def register_messenger_sender(prefix: str, sender: MessengerSender, deliverer: MessengerDeliverer) -> None:
    MESSENGER_SENDERS[prefix] = sender
    MESSENGER_DELIVERERS[prefix] = deliverer


def register_outbound_result(hook: OutboundResultHook) -> None:
    if hook not in _RESULT_HOOKS:
        _RESULT_HOOKS.append(hook)


def outbound_result(outbound: OutboundMessage) -> None:
    outbound_results([outbound])


def outbound_results(outbounds: Sequence[OutboundMessage]) -> None:
    if not outbounds:
        return
    for hook in _RESULT_HOOKS:
        hook(outbounds)


# Checks every text a person writes to a customer passes: fn(text, language or "") -> what they found,
# as messages. A higher app registers its own (answers: the tone check); intake never imports it.
OutgoingTextCheck = Callable[[str, str], list[str]]
OUTGOING_TEXT_CHECKS: dict[str, OutgoingTextCheck] = {}


def register_outgoing_text_check(name: str, check: OutgoingTextCheck) -> None:
    OUTGOING_TEXT_CHECKS[name] = check


def outgoing_text_findings(text: str, language: str = "") -> list[str]:
    return [finding for check in OUTGOING_TEXT_CHECKS.values() for finding in check(text, language)]


def tracking_url(complaint: Complaint | InboundMessage, request: HttpRequest | None = None) -> str:
    """The customer's tracking link; a submission stored with its card's number has it already."""
    return absolute_url(f"/track/{complaint.number}/?code={complaint.tracking_code}", request)


def email_proof(complaint: Complaint, email: str) -> str:
    """What a link mailed to `email` carries to prove that whoever opens it receives mail there."""
    return salted_hmac("amends.intake.email-proof", f"{complaint.number}:{email.strip().lower()}").hexdigest()[:32]


def tracking_url_proving(complaint: Complaint) -> str:
    """The tracking link for mail to the card's provisional contact: opened, it proves their address
    (identity.contact_email_proven). The web form's own page shows the plain link, which proves nothing."""
    url = tracking_url(complaint)
    contact = complaint.contact
    by_email = not complaint.thread_key or complaint.thread_key.split(":", 1)[0] not in MESSENGER_SENDERS
    if by_email and contact is not None and contact.provisional and contact.email:
        url += f"&proof={email_proof(complaint, contact.email)}"
    return url


def email_subject(complaint: Complaint, subject: str) -> str:
    """The card number in brackets lets a reply find its card whatever the mail client does."""
    return f"[#{complaint.number}] {subject}".strip()


def send_email(
    complaint: Complaint, *, recipient: str, subject: str, text: str, purpose: str = "",
    connection: BaseEmailBackend | None = None,
) -> OutboundMessage:
    message_id = make_msgid(domain=settings.AMENDS_MAIL_DOMAIN)
    outbound = OutboundMessage.objects.create(
        complaint=complaint, channel="email", recipient=recipient, purpose=purpose,
        subject=email_subject(complaint, subject), body=text, message_id=message_id,
    )
    _deliver(outbound, connection)
    return outbound


def customer_last_message_id(complaint_id: int) -> str:
    """The Message-ID of the customer's last e-mail on the card; "" when none came by e-mail."""
    return customers_last_message_ids([complaint_id]).get(complaint_id, "")


def customers_last_message_ids(complaint_ids: Iterable[int]) -> dict[int, str]:
    """`customer_last_message_id` of each card, in one query; a card without one is left out."""
    # The state is checked here, not in the query: SQLite would read the messages by their state's
    # index, every registered message there is, rather than by their cards'.
    references = (
        InboundMessage.objects.filter(complaint_id__in=complaint_ids, source__startswith="email:")
        .order_by("complaint_id", "-received_at", "-pk").values_list("complaint_id", "external_ref", "status")
    )
    found: dict[int, str] = {}
    for complaint_id, reference, status in references:
        if status not in _ON_THE_CARD:
            continue
        if complaint_id not in found and (match := _STORED_MESSAGE_ID.match(reference)):
            found[complaint_id] = match.group(0)
        found.setdefault(complaint_id, "")
    return {complaint_id: reference for complaint_id, reference in found.items() if reference}


def mail_headers(outbound: OutboundMessage, parent: str | None = None) -> dict[str, str]:
    """A reply to the customer's last e-mail (`parent`, read unless given), so that it threads in their
    mail program; automatic mail says so (RFC 3834): "auto-replied" when it answers their e-mail,
    "auto-generated" otherwise."""
    headers = {"Message-ID": outbound.message_id}
    if parent is None:
        parent = customer_last_message_id(outbound.complaint_id)
    if parent:
        headers["In-Reply-To"] = headers["References"] = parent
    if outbound.purpose != WRITTEN:
        headers["Auto-Submitted"] = "auto-replied" if parent else "auto-generated"
    return headers


def outbound_claim(outbound: OutboundMessage) -> bool:
    """Take a stored message for one attempt, as it was read: counted and its error cleared in one
    conditional update, so that of two processes that read it alike ("Retry now" and the worker's
    retry) only one sends it. The attempt is committed before the message leaves: a process killed
    after the server took it and before `sent_at` was written leaves an attempt with no error, never
    sent again."""
    claimed = OutboundMessage.objects.filter(
        pk=outbound.pk, attempts=outbound.attempts, sent_at__isnull=True,
    ).update(attempts=F("attempts") + 1, error="")
    if claimed:
        outbound.attempts, outbound.error = outbound.attempts + 1, ""
    return bool(claimed)


def _deliver(outbound: OutboundMessage, shared: BaseEmailBackend | None = None) -> bool:
    if not outbound_claim(outbound):
        return False  # sent, or being sent, by another process, which reports its attempt
    sent = _deliver_email(outbound, shared)
    outbound_result(outbound)
    return sent


def emails_send(outbounds: Sequence[OutboundMessage], connection: BaseEmailBackend) -> int:
    """Send stored e-mails that have no files (a batch's acknowledgements) over one connection, each
    claimed just before it leaves and marked sent once it left, as any stored message is (`_deliver`),
    by statements prepared once for the batch; returns how many went. A message is marked sent in the
    transaction that claims the next: one write a message. Cut off between the two, it is left as any
    message whose process stopped after the mail server took it (an attempt with no error)."""
    parents = customers_last_message_ids({outbound.complaint_id for outbound in outbounds})
    table, q = OutboundMessage._meta.db_table, db_connection.ops.quote_name
    claim = (f"UPDATE {q(table)} SET {q('attempts')} = {q('attempts')} + 1, {q('error')} = '' "
             f"WHERE {q('id')} = %s AND {q('attempts')} = %s AND {q('sent_at')} IS NULL")
    mark_sent = f"UPDATE {q(table)} SET {q('sent_at')} = %s, {q('error')} = '' WHERE {q('id')} = %s"
    tried: list[OutboundMessage] = []
    left: OutboundMessage | None = None  # sent, not yet marked

    def mark_left(cursor) -> None:
        if left is not None:
            cursor.execute(mark_sent, [db_connection.ops.adapt_datetimefield_value(left.sent_at), left.pk])

    with db_connection.cursor() as cursor:
        for outbound in outbounds:
            with transaction.atomic():
                mark_left(cursor)
                cursor.execute(claim, [outbound.pk, outbound.attempts])
                claimed = cursor.rowcount == 1
            left = None
            if not claimed:
                continue  # sent, or being sent, by another process, which reports its attempt
            outbound.attempts, outbound.error = outbound.attempts + 1, ""
            headers = mail_headers(outbound, parents.get(outbound.complaint_id, ""))
            if _email_sent(outbound, connection, _email(outbound, headers)):
                outbound.sent_at = timezone.now()
                left = outbound
            tried.append(outbound)
        mark_left(cursor)
    outbound_results(tried)
    return sum(outbound.sent_at is not None for outbound in tried)


def _deliver_email(outbound: OutboundMessage, shared: BaseEmailBackend | None = None) -> bool:
    """Send one claimed e-mail with its files, on `shared` when given: its caller closes it after its
    last message."""
    email = _email(outbound, mail_headers(outbound))
    for attachment in OutboundAttachment.objects.filter(message_id=outbound.pk):
        email.attach(attachment.name, bytes(attachment.content), attachment.content_type)
    connection = shared or get_connection()
    if not _email_sent(outbound, connection, email):
        return False
    if shared is None:
        connection.close()
    outbound.sent_at, outbound.error = timezone.now(), ""
    OutboundMessage.objects.filter(pk=outbound.pk).update(sent_at=outbound.sent_at, error="")
    return True


def _email(outbound: OutboundMessage, headers: dict[str, str]) -> EmailMessage:
    return EmailMessage(subject=outbound.subject, body=outbound.body, to=[outbound.recipient], headers=headers)


def _email_sent(outbound: OutboundMessage, connection: BaseEmailBackend, email: EmailMessage) -> bool:
    """Hand the e-mail to the mail server; a refusal is recorded on the message (the worker retries it)."""
    try:
        connection.open()
        connection.send_messages([email])
    except Exception as error:  # noqa: BLE001 - recorded on the message; the worker retries it
        logger.warning("Mail to %s (message %s) failed: %s", outbound.recipient, outbound.pk, error)
        outbound.error = str(error)[:2000]
        OutboundMessage.objects.filter(pk=outbound.pk).update(error=outbound.error, attempts=outbound.attempts)
        connection.close()  # a shared connection is opened again for the next message
        return False
    return True


def outbound_send(outbound: OutboundMessage) -> bool:
    """Send a stored message (again) on its channel: e-mail, or the messenger of its recipient's
    thread key. Whether it went is recorded on the row; failures are never raised."""
    if outbound.channel == "email":
        return _deliver(outbound)
    deliverer = MESSENGER_DELIVERERS.get(outbound.recipient.split(":", 1)[0])
    if deliverer is None:
        outbound.error = f"No messenger sends to {outbound.recipient}."
        OutboundMessage.objects.filter(pk=outbound.pk).update(error=outbound.error)
        outbound_result(outbound)
        return False
    return deliverer(outbound)


def outbound_retry_failed(*, older_than: timedelta = timedelta(minutes=2), max_attempts: int = 5) -> int:
    """Send again the e-mails and messenger messages that were refused, and those a stopped process
    never tried. One whose sending was cut short (tried, no error, not marked sent) may have gone
    out: a customer gets no message twice, so it waits for an administrator instead."""
    pending = OutboundMessage.objects.filter(
        Q(attempts=0) | ~Q(error=""), sent_at__isnull=True, attempts__lt=max_attempts,
        created_at__lt=timezone.now() - older_than,
    )
    return sum(outbound_send(outbound) for outbound in pending.iterator())


def send_to_customer(
    complaint: Complaint, *, subject: str, text: str, purpose: str = "", connection: BaseEmailBackend | None = None,
) -> OutboundMessage | None:
    """Answer where the customer wrote: their chat for messengers, else their e-mail; None if neither."""
    prefix = complaint.thread_key.split(":", 1)[0] if complaint.thread_key else ""
    if prefix in MESSENGER_SENDERS:
        outbound = MESSENGER_SENDERS[prefix](complaint, text)
        if purpose and outbound is not None:
            OutboundMessage.objects.filter(pk=outbound.pk).update(purpose=purpose)
        return outbound
    contact = complaint.contact
    if contact is not None and contact.email:
        return send_email(
            complaint, recipient=contact.email, subject=subject, text=text, purpose=purpose, connection=connection,
        )
    return None
