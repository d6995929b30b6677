"""What every channel's parser produces: one shape for e-mail, messengers, the web form and the API."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile

from amends.complaints.choices import RequestType
from amends.customers.models import Contact

if TYPE_CHECKING:
    from amends.accounts.models import User
    from amends.complaints.models import Category, Complaint
    from amends.customers.models import Product
    from amends.intake.channels.webhooks.common import RemoteFile

# A card number as it appears in subjects and texts: "[#2026-000123]", "№ 2026-000123".
NUMBER_TOKEN = re.compile(r"(?<![\d-])(\d{4}-\d{6})(?![\d-])")


@dataclass
class IncomingComplaint:
    channel: str
    text: str
    # What goes on the timeline when the message continues a card: the text without the quoted
    # earlier messages (e-mail); "" when that is the whole text.
    reply_text: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    organisation: str = ""
    subject: str = ""
    order_reference: str = ""
    received_at: datetime | None = None
    external_id: str = ""
    # How a reply finds its card: a number in the subject, Message-IDs, a chat or thread.
    number_hint: str = ""
    references: list[str] = field(default_factory=list)
    thread_key: str = ""
    attachments: list[UploadedFile] = field(default_factory=list)
    # Files still on a messenger's servers, fetched by the worker once the message is on its card.
    remote_files: list["RemoteFile"] = field(default_factory=list)
    consent_text: str = ""
    consent_at: datetime | None = None
    # The customer's language when the channel tells it (the web form's page language).
    language: str = ""
    # The customer's record, when the channel looked it up before opening its transaction.
    contact: Contact | None = None
    # True when the channel vouches for the e-mail and phone (the API's authenticated client). What a
    # public channel carries (web form, e-mail From, a chat widget's sender) anyone could type, so
    # it never files the card under a known customer: see identity.contact_for.
    identity_proven: bool = False
    # A submission stored with its card's number (web form, API) becomes a card with that number.
    number: str = ""
    tracking_code: str = ""
    # The API's user who sent it; None when the customer used a channel themselves.
    registered_by: "User | None" = None
    product: "Product | None" = None
    category: "Category | None" = None
    importance: str = ""
    request_type: str = RequestType.COMPLAINT
    claim_demand: str = ""
    # False for the API: its client gets the number and tells the customer itself.
    acknowledge: bool = True
    # Called with the card inside the transaction that registers the message or adds it to the card,
    # to queue the channel's own follow-up work (the messenger's files) with it.
    on_accepted: Callable[["Complaint"], None] | None = field(default=None, compare=False, repr=False)

    def number_in_subject(self) -> str:
        if self.number_hint:
            return self.number_hint
        match = NUMBER_TOKEN.search(self.subject or "")
        return match.group(1) if match else ""
