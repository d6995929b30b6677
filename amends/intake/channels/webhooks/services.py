"""Receiving one webhook call: find the source, authenticate, store the raw body, then parse it."""

import re
from collections.abc import Mapping

from amends.intake.models import WebhookSource
from amends.intake.services import inbound_process, inbound_store

from . import outbound  # noqa: F401 - registers the senders that answer through the platforms
from .common import Reply
from .inbound import ADAPTERS, decode, parse_webhook, source_label
from .signing import SIGNATURE_HEADER, signed

SOURCE_NAME = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
UNKNOWN = Reply(404, {"ok": False, "error": "Unknown webhook source."})
FORBIDDEN = Reply(403, {"ok": False, "error": "Missing or wrong signature."})


def webhook_receive(*, source_name: str, body: bytes, headers: Mapping[str, str]) -> Reply:
    """Nothing is stored unless the call is authentic; a replayed update stores and creates nothing;
    a body that cannot be parsed is kept in quarantine and still answered 200, so the platform
    does not retry it forever."""
    source = WebhookSource.objects.filter(name=source_name, is_active=True).first() \
        if SOURCE_NAME.match(source_name) else None
    if source is None or source.kind not in ADAPTERS:
        return UNKNOWN
    adapter = ADAPTERS[source.kind]
    payload = decode(body)
    if not (signed(body, headers.get(SIGNATURE_HEADER), source.secret)
            or adapter.authenticate(source, headers, payload)):
        return FORBIDDEN
    if (reply := adapter.handshake(source, payload)) is not None:
        return reply
    message, created = inbound_store(
        channel=source.channel, source=source_label(source), raw=body, external_ref=adapter.external_ref(payload),
    )
    if not created:
        return adapter.answer("replay")
    return adapter.answer(inbound_process(message, parse_webhook).status)
