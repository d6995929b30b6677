"""Everything stored about a person, for their access request (152-FZ art. 14, GDPR art. 15 and 20):
a JSON document, the same as a PDF, and both in a zip with the files they sent or were sent."""

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import event_text
from amends.complaints.models import Attachment, Complaint, Measure, TimelineEvent
from amends.customers.models import Contact, Organisation
from amends.intake.models import InboundMessage, OutboundMessage

from .selectors import person_complaints, person_contacts_confirmed

CONTACT_FIELDS = ("full_name", "position", "phone", "fax", "email", "address", "created_at")
ORGANISATION_FIELDS = ("name", "tax_id", "phone", "email", "address")
CARD_FIELDS = (
    "number", "received_at", "channel", "state", "project", "order_reference", "wording", "demand_presented_at",
    "justification", "opinion", "actions_taken", "answer_text", "answered_at", "satisfaction", "loyalty",
    "customer_unreachable", "unreachable_note", "closed_at", "consent_text", "consent_at",
)
EVENT_FIELDS = ("created_at", "kind", "from_state", "to_state", "field", "old_value", "new_value", "text")


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fields(instance: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(instance, name)) for name in names}


def attachment_path(attachment: Attachment) -> str:
    """Where the file is in the zip: unique, and readable by the person."""
    return f"files/{attachment.complaint.number}/{attachment.pk}-{attachment.original_name}"


# Card fields that name a member of staff.
STAFF_FIELDS = {"responsible", "registered_by"}


def _event(event: TimelineEvent) -> dict[str, Any]:
    """Staff are named by role, not by name: their names are their own personal data."""
    values = _fields(event, EVENT_FIELDS) | {"by": "staff" if event.actor_id else "customer or system"}
    if event.kind == EventKind.NOTIFICATION:  # whom the staff notified
        values["text"] = ""
    if event.field in STAFF_FIELDS:
        values |= {"old_value": "staff" if event.old_value else "", "new_value": "staff" if event.new_value else ""}
    if event.kind in NAMING_KINDS:
        values["text"] = _text_without_staff(event)
    return values


# Timeline entries whose text may name staff: a measure's executor, the people an escalation told,
# who granted a compensation.
NAMING_KINDS = {EventKind.MEASURE, EventKind.DEADLINE, EventKind.COMPENSATION}


def _text_without_staff(event: TimelineEvent) -> str:
    """Worded again from its parameters with staff as "staff"; an older entry kept only as text
    could name them anywhere, so it is left out."""
    if event.params is None:
        return ""
    params = dict(event.params)
    if "executor" in params:
        params["executor"] = "staff"
    if params.get("people"):
        params["people"] = ["staff"]
    if "granted_by" in params:
        params["granted_by"] = "staff"
    return event_text(event.kind, event.code, params) or ""


def _card(complaint: Complaint) -> dict[str, Any]:
    card = _fields(complaint, CARD_FIELDS) | {
        "channel_name": complaint.get_channel_display(),
        "state_name": complaint.get_state_display(),
        "category": str(complaint.category) if complaint.category else "",
        "cause": str(complaint.cause) if complaint.cause else "",
        "product": str(complaint.product) if complaint.product else "",
    }
    card["timeline"] = [_event(event) for event in TimelineEvent.objects.filter(complaint=complaint)]
    card["measures"] = [
        _fields(measure, ("description", "due_date", "done_at", "report"))
        for measure in Measure.objects.filter(complaint=complaint)
    ]
    card["attachments"] = [
        _fields(attachment, ("original_name", "size", "content_type", "uploaded_at"))
        | {"file": attachment_path(attachment) if attachment.file else ""}
        for attachment in Attachment.objects.filter(complaint=complaint).select_related("complaint")
    ]
    card["messages_sent"] = [
        _fields(message, ("created_at", "sent_at", "channel", "recipient", "subject", "body"))
        for message in OutboundMessage.objects.filter(complaint=complaint)
    ]
    # The raw bytes are in the card's wording and timeline already: what arrived, when and how.
    card["messages_received"] = [
        _fields(message, ("received_at", "channel", "source", "external_ref", "status")) | {"size": size}
        for message, size in (
            (message, len(message.raw)) for message in InboundMessage.objects.filter(complaint=complaint)
        )
    ]
    return card


def personal_data_export(*, contact: Contact) -> dict[str, Any]:
    """The person's confirmed contact rows and their cards; provisional rows with the same e-mail or
    phone are left out (an erasure still takes them). A provisional contact has no export of its own."""
    if contact.provisional:
        raise ValidationError(_(
            "This contact is unconfirmed: anyone could have typed its e-mail or phone. Link its card to the "
            "known customer (\"Same customer\") or let the customer prove the address first."
        ))
    contacts = list(person_contacts_confirmed(contact))
    organisations = {c.organisation_id: c.organisation for c in contacts if c.organisation is not None}
    complaints = list(person_complaints(contacts))
    organisations |= {c.organisation_id: c.organisation for c in complaints if c.organisation is not None}
    return {
        "generated_at": _value(timezone.now()),
        "contacts": [_fields(person, CONTACT_FIELDS) for person in contacts],
        "organisations": [
            _fields(organisation, ORGANISATION_FIELDS) for organisation in organisations.values()
            if isinstance(organisation, Organisation)
        ],
        "complaints": [_card(complaint) for complaint in complaints],
    }


def personal_data_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def personal_data_zip(*, contact: Contact) -> bytes:
    """personal-data.json, personal-data.pdf and files/<card>/<file>: one download to hand over."""
    data = personal_data_export(contact=contact)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", personal_data_json(data))
        # Imported here: fpdf costs every process 0.4 s at start, and only this export writes a PDF.
        from .pdf import export_pdf

        archive.writestr("personal-data.pdf", export_pdf(data))
        numbers = [card["number"] for card in data["complaints"]]
        for attachment in Attachment.objects.filter(complaint__number__in=numbers).select_related("complaint"):
            if attachment.file.name and attachment.file.storage.exists(attachment.file.name):
                with attachment.file.open("rb") as handle:
                    archive.writestr(attachment_path(attachment), handle.read())
    return buffer.getvalue()
