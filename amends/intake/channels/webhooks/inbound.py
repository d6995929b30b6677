"""The webhook parser the intake pipeline calls for sources named "webhook:<source name>".

Imported for its side effect: it registers the parser, so that quarantined webhook messages
can be processed again from the admin or a worker (import it in IntakeConfig.ready()).
"""

from types import ModuleType

from amends.core.jsonbounds import json_loads_bounded
from amends.intake.models import InboundMessage, WebhookSource
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import register_parser

from . import generic, telegram, vk
from .files import fetch_received_files_task

SOURCE_PREFIX = "webhook"
# WebhookSource.kind → its adapter module (authenticate, handshake, external_ref, answer, parse, send).
ADAPTERS: dict[str, ModuleType] = {"telegram": telegram, "vk": vk, "generic": generic}
NOT_JSON = object()


def source_label(source: WebhookSource) -> str:
    return f"{SOURCE_PREFIX}:{source.name}"


def decode(body: bytes) -> object:
    """The JSON payload, or NOT_JSON when the body is not JSON at all."""
    try:
        return json_loads_bounded(body)
    except ValueError:
        return NOT_JSON


def parse_webhook(message: InboundMessage) -> IncomingComplaint:
    name = message.source.split(":", 1)[1]
    source = WebhookSource.objects.filter(name=name).first()
    if source is None:
        raise LookupError(f"Webhook source {name!r} no longer exists.")
    payload = decode(bytes(message.raw))
    if payload is NOT_JSON:
        raise ValueError("The body is not valid JSON.")
    incoming = ADAPTERS[source.kind].parse(source, payload)
    if incoming.remote_files:
        # Queued with the card's own writes, so it is neither lost nor run for a message that was not kept.
        incoming.on_accepted = lambda complaint: fetch_received_files_task.enqueue(message.pk, complaint.pk)
    return incoming


register_parser(SOURCE_PREFIX, parse_webhook)
