"""What is added to a card's timeline without changing the card: notes, calls, messages, files."""

import os
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from amends.accounts.models import User

from .. import access, signals
from ..events import (
    event_attachment,
    event_call,
    event_file_received,
    event_message_in,
    event_message_out,
    event_note,
)
from ..models import Attachment, Complaint, TimelineEvent
from .after_answer import message_after_answer_record
from .lifecycle import card_locked


def _name_and_size(upload: UploadedFile) -> tuple[str, int]:
    """An upload's file name and size in bytes; every upload that reaches a card has both."""
    if upload.name is None or upload.size is None:
        raise TypeError("An upload without a name or a size.")
    return upload.name, upload.size


def attachment_check(upload: UploadedFile) -> None:
    name, size = _name_and_size(upload)
    limit = settings.AMENDS_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file “%(name)s” is larger than %(limit)d MB.")
            % {"name": name, "limit": limit // (1024 * 1024)}
        )
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in settings.AMENDS_ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("Files of type “%(ext)s” are not accepted.") % {"ext": extension or "?"}
        )


def attachment_store(complaint: Complaint, upload: UploadedFile, actor: User | None) -> Attachment:
    """Keep a checked upload on the card, with its ATTACHMENT event; inside the caller's transaction."""
    attachment_check(upload)
    name, size = _name_and_size(upload)
    attachment = Attachment(
        complaint=complaint, original_name=os.path.basename(name)[:255], size=size,
        content_type=getattr(upload, "content_type", "") or "", uploaded_by=actor,
    )
    attachment.file.save(os.path.basename(name), upload, save=False)
    attachment.save()
    event_attachment(complaint, actor, attachment)
    return attachment


@transaction.atomic
def complaint_add_note(*, complaint: Complaint, actor: User, text: str) -> TimelineEvent:
    access.access_write(actor, complaint, access.NOTE)
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    return event_note(complaint, actor, text.strip())


@transaction.atomic
def complaint_log_call(*, complaint: Complaint, actor: User, text: str) -> TimelineEvent:
    """An operator called the customer back; it counts as a response to the customer (DOMAIN.md §5)."""
    access.access_write(actor, complaint, access.CALL)
    if not text.strip():
        raise ValidationError({"text": _("Say what was discussed on the call.")})
    event = event_call(complaint, actor, text.strip())
    signals.customer_contacted.send(sender=Complaint, complaint=complaint, event=event)
    return event


@transaction.atomic
def complaint_add_message(
    *, complaint: Complaint, incoming: bool, text: str, actor: User | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> TimelineEvent:
    """A message from the customer (incoming) or to them, on the card's timeline with its files."""
    for upload in attachments:
        attachment_check(upload)
    event = (event_message_in if incoming else event_message_out)(complaint, actor, text.strip())
    stored = [attachment_store(complaint, upload, actor) for upload in attachments]
    if incoming:
        # Flagged (or reopened) before anyone hears of the message, so they hear of the flag too.
        message_after_answer_record(complaint, event)
        signals.customer_replied.send(sender=Complaint, complaint=complaint, event=event, attachments=stored)
    else:
        signals.customer_contacted.send(sender=Complaint, complaint=complaint, event=event)
    return event


@transaction.atomic
def complaint_attach(*, complaint: Complaint, actor: User, upload: UploadedFile) -> Attachment:
    complaint = card_locked(complaint, None)
    access.access_write(actor, complaint, access.ATTACHMENT)
    if not complaint.is_open:
        raise ValidationError(_("Files are not added to a closed card."))
    return attachment_store(complaint, upload, actor)


@transaction.atomic
def complaint_receive_file(
    *, complaint: Complaint, reference: str, note: str, upload: UploadedFile | None = None,
) -> Attachment | None:
    """A file the customer sent through a channel that delivers it after the message (a messenger's
    file, fetched by the worker): attached by nobody in particular, with a note saying where it came
    from; without an upload (it could not be fetched or kept), only the note saying why. Once per
    `reference`, kept on the note: a repeated call changes nothing and returns None. Closed cards
    take it too, since the message that carried the file is already on them."""
    complaint = card_locked(complaint, None)
    if complaint.events.filter(reference=reference).exists():
        return None
    attachment = attachment_store(complaint, upload, None) if upload is not None else None
    event = event_file_received(complaint, reference=reference, note=note, attachment=attachment)
    signals.customer_file_received.send(sender=Complaint, complaint=complaint, event=event, attachment=attachment)
    return attachment
