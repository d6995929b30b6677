"""Answering a customer in the chat they wrote from, through the platform's API.

Registers one sender per webhook kind with `amends.intake.outbound`, keyed by the thread key's
prefix ("telegram:<source>:<chat>"), at import time; IntakeConfig.ready() imports this module.
Every attempt is an OutboundMessage; a failure is recorded on it and never raised.
"""

import logging

from django.utils import timezone

from amends.complaints.models import Complaint
from amends.intake.models import OutboundMessage, WebhookSource
from amends.intake.outbound import outbound_claim, outbound_result, register_messenger_sender

from .inbound import ADAPTERS

logger = logging.getLogger(__name__)


def webhook_send(complaint: Complaint, text: str) -> OutboundMessage:
    """Send `text` to the chat of the complaint's thread key; the result says whether it went."""
    outbound = OutboundMessage.objects.create(
        complaint=complaint, channel=complaint.channel, recipient=complaint.thread_key[:300], body=text,
    )
    webhook_deliver(outbound)
    return outbound


def webhook_deliver(outbound: OutboundMessage) -> bool:
    """Send a stored message (again) to the chat its recipient names ("<kind>:<source>:<chat>")."""
    kind, _, rest = outbound.recipient.partition(":")
    name, _, chat = rest.partition(":")
    if not outbound_claim(outbound):
        return False  # sent, or being sent, by another process
    source = WebhookSource.objects.filter(name=name, kind=kind).first()
    try:
        if source is None or not chat:
            raise LookupError(f"No {kind} webhook source {name!r} to answer chat {chat!r} through.")
        message_id = ADAPTERS[kind].send(source, chat, outbound.body, outbound)
    except Exception as error:  # noqa: BLE001 - a platform failure must not break the caller
        reason = f"{type(error).__name__}: {error}"
        if source is not None and source.outbound_token:
            reason = reason.replace(source.outbound_token, "***")  # Telegram puts the token in the URL
        logger.warning("Answer to %s for card %s failed: %s", outbound.recipient, outbound.complaint_id, reason)
        outbound.error = reason[:2000]
        OutboundMessage.objects.filter(pk=outbound.pk).update(error=outbound.error, attempts=outbound.attempts)
    else:
        outbound.sent_at, outbound.message_id, outbound.error = timezone.now(), message_id[:300], ""
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            sent_at=outbound.sent_at, message_id=outbound.message_id, error="", attempts=outbound.attempts,
        )
    outbound_result(outbound)
    return outbound.sent_at is not None


for _kind in ADAPTERS:
    register_messenger_sender(_kind, webhook_send, webhook_deliver)
