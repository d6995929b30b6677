"""The web form channel: a submission is stored raw with its number, then registered by the shared intake pipeline;
a customer's message from the tracking page goes onto the card's timeline.
"""

import json
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_add_message
from amends.intake.models import InboundMessage
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import inbound_process, inbound_store_numbered_once, register_parser

logger = logging.getLogger(__name__)

SOURCE = "web_form"
FIELDS = ("name", "email", "phone", "organisation", "order_reference", "text")


def web_form_parse(message: InboundMessage, attachments: Sequence[UploadedFile] = ()) -> IncomingComplaint:
    """The stored JSON of a submission as an incoming complaint. The files are not in the stored
    submission: re-processing a quarantined one from the admin registers it without them."""
    data = json.loads(bytes(message.raw).decode("utf-8"))
    consent_at = data.get("consent_at")

    def given(name: str) -> str:
        return str(data.get(name) or "")

    return IncomingComplaint(
        channel=Channel.WEB_FORM,
        name=given("name"), email=given("email"), phone=given("phone"), organisation=given("organisation"),
        order_reference=given("order_reference"), text=given("text"),
        consent_text=str(data.get("consent_text") or ""),
        consent_at=datetime.fromisoformat(consent_at) if consent_at else None,
        attachments=list(attachments),
        language=str(data.get("language") or ""),
    )


# So that the admin's "process again" finds the parser; the lead may move this into
# IntakeConfig.ready() (it runs here once the URLconf is loaded).
register_parser(SOURCE, web_form_parse)


def web_form_submit(
    *, data: dict[str, str], consent_text: str, attachments: list[UploadedFile], language: str,
    form_token: str = "",
) -> InboundMessage:
    """Keep the submission as it arrived, with its card's number and tracking code, before the visitor
    is answered. The intake pipeline registers the card and acknowledges it by e-mail: the worker
    a moment later, or at once when there are files, which the stored submission does not hold.
    Returns the stored message; with files, registered or quarantined with the reason. A form posted
    again with the same `form_token` returns the first submission and stores nothing."""
    reference = f"form:{form_token}" if form_token else ""
    raw = json.dumps({name: data.get(name, "") for name in FIELDS} | {
        "consent_text": consent_text,
        "consent_at": timezone.now().isoformat(),
        "language": language,
        "attachments": [
            {"name": upload.name, "size": upload.size, "content_type": getattr(upload, "content_type", "")}
            for upload in attachments
        ],
    }, ensure_ascii=False).encode("utf-8")
    # One transaction with files, so that they are never left out of a stored submission's card.
    with transaction.atomic() if attachments else nullcontext():
        message, created = inbound_store_numbered_once(
            channel=Channel.WEB_FORM, source=SOURCE, raw=raw, external_ref=reference,
        )
        if not created and not _says_the_same(message, data):
            # Edited and sent again, or a token someone else saw: a submission of its own.
            message, created = inbound_store_numbered_once(channel=Channel.WEB_FORM, source=SOURCE, raw=raw)
        if not created or not attachments:
            return message
        return inbound_process(message, lambda stored: web_form_parse(stored, attachments))


def _says_the_same(message: InboundMessage, data: dict[str, str]) -> bool:
    stored = json.loads(bytes(message.raw).decode("utf-8"))
    return all(str(stored.get(name) or "") == str(data.get(name) or "") for name in FIELDS)


def submitted_email(message: InboundMessage) -> str:
    """The e-mail address a stored submission gave, where its acknowledgement goes."""
    return str(json.loads(bytes(message.raw).decode("utf-8")).get("email") or "")


@transaction.atomic
def tracking_message_add(*, complaint: Complaint, text: str, attachments: list[UploadedFile]) -> TimelineEvent:
    """The customer's message from the tracking page onto the card (notifications tell the
    responsible person, as of every message from the customer)."""
    return complaint_add_message(complaint=complaint, incoming=True, text=text, attachments=attachments)
