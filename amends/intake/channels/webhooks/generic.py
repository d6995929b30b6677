"""The generic JSON format, for a chat widget or any platform a small bridge can translate.

In:  {"id": "m-1", "chat_id": "c-42", "sender": {"name", "email", "phone", "organisation"},
      "text": "...", "sent_at": "2026-05-20T10:15:00+03:00"}   (docs/webhooks.md)
Out: POST {base}/messages {"chat_id", "text", "complaint"} with Authorization: Bearer <token>.
"""

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from amends.intake.models import OutboundMessage, WebhookSource
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import Ignored

from .common import (
    DeliveryError,
    Reply,
    chat_id,
    json_reply,
    object_of,
    plausible,
    post,
    reference,
    response_json,
    text_of,
)


def authenticate(source: WebhookSource, headers, payload: object) -> bool:
    return False  # only the HMAC signature


def handshake(source: WebhookSource, payload: object) -> Reply | None:
    return None


def external_ref(payload: object) -> str:
    return reference(payload.get("id")) if isinstance(payload, dict) else ""


def answer(status: str) -> Reply:
    return json_reply(status)


def parse(source: WebhookSource, message: object) -> IncomingComplaint:
    if not isinstance(message, dict):
        raise ValueError("A generic message is a JSON object.")
    if not reference(message.get("id")):
        raise ValueError("A generic message needs an \"id\" (string or integer): it is what makes a retry harmless.")
    chat = chat_id(message.get("chat_id"))
    if "text" in message and not isinstance(message["text"], str):
        raise ValueError("\"text\" must be a string.")
    text = text_of(message.get("text"))
    if not text:
        raise Ignored("Generic message without text.")
    sender = object_of(message.get("sender"))
    return IncomingComplaint(
        channel=source.channel, text=text, name=text_of(sender.get("name"))[:300],
        email=text_of(sender.get("email"))[:254], phone=text_of(sender.get("phone"))[:50],
        organisation=text_of(sender.get("organisation"))[:300],
        received_at=_sent_at(message.get("sent_at")), thread_key=f"generic:{source.name}:{chat}",
    )


def send(source: WebhookSource, chat: str, text: str, outbound: OutboundMessage) -> str:
    if not source.outbound_base_url:
        raise DeliveryError("No outbound API base URL on the source.")
    headers = {"Authorization": f"Bearer {source.outbound_token}"} if source.outbound_token else {}
    response = post(f"{source.outbound_base_url.rstrip('/')}/messages", headers=headers, json={
        "chat_id": chat, "text": text, "complaint": outbound.complaint.number,
    })
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"The platform answered HTTP {response.status_code}.")
    return f"generic:{chat}:{reference(response_json(response).get('id'))}"


def _sent_at(value: object):
    """ISO 8601; a time without zone is local. Unreadable or future times fall back to arrival."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return plausible(moment)
