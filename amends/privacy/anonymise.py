"""The writes of an erasure: a card's personal data, a contact row, and the traces elsewhere.

Nothing here touches what the statistics count: states, dates, categories, causes, channels,
importance, justification, satisfaction, loyalty, clocks, and the rows themselves stay."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from amends.accounts.models import User
from amends.audit.services import audit_reseal
from amends.complaints.choices import EventKind
from amends.complaints.events import event_personal_data_erased
from amends.complaints.models import Attachment, Complaint, Measure, TimelineEvent, new_tracking_code
from amends.customers.models import Contact
from amends.duplicates.models import SignatureBand, TextSignature
from amends.intake.models import InboundMessage, InboundStatus, OutboundAttachment, OutboundMessage
from amends.notifications.models import Notification

from .models import AnonymisedCard, Erasure
from .redact import ERASED, Identity, Redactor, json_spellings

ERASED_FILE_NAME = "erased"
# Card fields staff wrote about the case: kept, with the person taken out.
STAFF_TEXT = ("answer_text", "opinion", "actions_taken", "unreachable_note", "project", "employee_concerned")
# Written by the customer, or pointing at them in another system: nothing of it is kept.
CUSTOMER_TEXT = {"wording": ERASED, "order_reference": "", "thread_key": ""}
# Timeline entries whose text is the customer's own.
CUSTOMER_EVENTS = {EventKind.MESSAGE_IN}
# Card fields whose old and new values on the timeline are the customer's, whole: the wording, and
# the contact person (a card moved from a provisional contact to the known customer keeps the
# provisional row's name, as typed into a public form, though the row itself was deleted).
CUSTOMER_FIELDS = {"wording", "contact"}


@dataclass
class Counts:
    cards: int = 0
    events: int = 0
    attachments: int = 0
    files: int = 0
    inbound: int = 0
    outbound: int = 0
    notifications: int = 0
    contacts: int = 0
    other_rows: int = 0
    mail_files: int = 0
    numbers: list[str] = field(default_factory=list)


# Rows an erasure rewrote, by table: those a seal of the audit chain covers are resealed.
Rewritten = dict[type[models.Model], set[object]]


def rows_reseal(rewritten: Rewritten, *, erasure: Erasure, actor: User | None) -> None:
    """Run in the rewrite's transaction: the chain never shows the rows changed and not resealed."""
    for model, pks in rewritten.items():
        audit_reseal(model=model, pks=pks, reason=erasure, actor=actor)


def passages_of(complaints: Iterable[Complaint]) -> list[str]:
    """What the person wrote on these cards, looked for wherever a card is quoted."""
    ids = [complaint.pk for complaint in complaints]
    texts = list(Complaint.objects.filter(pk__in=ids).values_list("wording", flat=True))
    texts += TimelineEvent.objects.filter(complaint__in=ids, kind__in=CUSTOMER_EVENTS).values_list("text", flat=True)
    texts += Attachment.objects.filter(complaint__in=ids).values_list("original_name", flat=True)
    return texts


def card_anonymise(
    complaint: Complaint, redactor: Redactor, *, erasure: Erasure, actor: User | None, note: str, counts: Counts,
    rewritten: Rewritten,
) -> None:
    """Take the person out of one card and everything hanging on it, and say so on its timeline."""
    changes: dict[str, object] = {name: redactor.text(getattr(complaint, name)) for name in STAFF_TEXT}
    # A new code: the old tracking link no longer opens the card.
    changes |= CUSTOMER_TEXT | {"tracking_code": new_tracking_code()}
    Complaint.objects.filter(pk=complaint.pk).update(**changes)

    for measure in Measure.objects.filter(complaint=complaint):
        Measure.objects.filter(pk=measure.pk).update(
            description=redactor.text(measure.description), report=redactor.text(measure.report),
        )

    attachments = list(Attachment.objects.filter(complaint=complaint))
    for attachment in attachments:
        if attachment.file:
            attachment.file.delete(save=False)
            counts.files += 1
    Attachment.objects.filter(complaint=complaint).update(original_name=ERASED_FILE_NAME, file="")
    counts.attachments += len(attachments)

    # The timeline is append-only (TimelineEvent.save refuses updates) so that no one rewrites a
    # card's history; an erasure is the one exception the law requires. It rewrites the texts with
    # update(), here only, leaves its own entry below, and reseals what the audit chain had sealed.
    events = []
    for event in TimelineEvent.objects.filter(complaint=complaint):
        event.text = ERASED if event.kind in CUSTOMER_EVENTS and event.text else redactor.text(event.text)
        if event.kind == EventKind.ATTACHMENT:
            event.text = ERASED_FILE_NAME
        if event.field in CUSTOMER_FIELDS:
            event.old_value, event.new_value = (ERASED if value else "" for value in (event.old_value, event.new_value))
        else:
            event.old_value, event.new_value = redactor.text(event.old_value), redactor.text(event.new_value)
        event.reference = redactor.text(event.reference)
        # The entry is worded from its params for each reader: a measure's wording or a reason there too.
        event.params = redactor.json(event.params)
        events.append(event)
    TimelineEvent.objects.bulk_update(events, ["text", "old_value", "new_value", "reference", "params"], batch_size=500)
    counts.events += len(events)
    rewritten.setdefault(TimelineEvent, set()).update(event.pk for event in events)

    for message in InboundMessage.objects.filter(complaint=complaint).only("pk", "reason"):
        InboundMessage.objects.filter(pk=message.pk).update(
            raw=b"", reason=redactor.text(message.reason), tracking_code=new_tracking_code(),
        )
        counts.inbound += 1
    for outbound in OutboundMessage.objects.filter(complaint=complaint):
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            recipient=ERASED, subject=redactor.text(outbound.subject), body=ERASED, error=redactor.text(outbound.error),
        )
        counts.outbound += 1
    # The files mailed with them (an answer letter's PDF names and addresses the person): bytes, so no
    # text redaction reaches them.
    OutboundAttachment.objects.filter(message__complaint=complaint).update(name=ERASED_FILE_NAME, content=b"")
    for notification in Notification.objects.filter(complaint=complaint):
        Notification.objects.filter(pk=notification.pk).update(
            context=redactor.json(notification.context), last_error=redactor.text(notification.last_error),
        )
        counts.notifications += 1
    # The wording's sketch could be matched against a guess of the text.
    TextSignature.objects.filter(complaint=complaint).delete()
    SignatureBand.objects.filter(complaint=complaint).delete()

    event_personal_data_erased(complaint, actor, note)
    AnonymisedCard.objects.update_or_create(complaint=complaint, defaults={"erasure": erasure})
    counts.cards += 1
    counts.numbers.append(complaint.number)


def contact_anonymise(contact: Contact) -> None:
    """The row stays (the cards still point at it), with nothing of the person in it."""
    Contact.objects.filter(pk=contact.pk).update(
        full_name=ERASED, position="", phone="", phone_digits="", fax="", email="", address="",
        region="", erased_at=timezone.now(),
    )


def inbound_unlinked_anonymise(redactor: Redactor, counts: Counts) -> None:
    """Stored messages that never became part of a card (ignored, quarantined, still waiting) but
    came from the person. A waiting one is not registered any more: the person asked to be forgotten."""
    pending = {InboundStatus.QUEUED, InboundStatus.RECEIVED}
    unlinked = InboundMessage.objects.filter(complaint__isnull=True).only("pk", "raw", "reason", "status")
    for message in unlinked.iterator():
        raw = bytes(message.raw).decode("utf-8", errors="replace")
        if not (redactor.mentions(raw) or redactor.mentions(message.reason)):
            continue
        changes: dict[str, object] = {
            "raw": b"", "reason": redactor.text(message.reason), "tracking_code": new_tracking_code(),
        }
        if message.status in pending:
            changes |= {"status": InboundStatus.IGNORED, "reason": "Personal data erased on request."}
        InboundMessage.objects.filter(pk=message.pk).update(**changes)
        counts.inbound += 1


# Tables an erasure never rewrites: its own record, the staff's accounts, Django's bookkeeping.
SWEEP_SKIPPED = {"privacy", "auth", "contenttypes", "sessions", "accounts"}


Trace = tuple[type[models.Model], str, object]  # model, column, primary key


def traces_find(identity: Identity) -> list[Trace]:
    """Every row of every table that still names the person (another card quoting their e-mail, the
    admin's log of an edit, an API answer kept for retries): one scan of each text column. Run before
    the erasure's transaction, so that the scan does not hold the write lock."""
    needles = identity.needles()
    found: list[Trace] = []
    if not needles:
        return found
    for model in apps.get_models():
        if model._meta.app_label in SWEEP_SKIPPED:
            continue
        for column in model._meta.concrete_fields:
            if column.primary_key or not isinstance(column, models.CharField | models.TextField | models.JSONField):
                continue
            found += [(model, column.name, pk) for pk in _matching(model, column, needles)]
    return found


def _matching(model: type[models.Model], column: models.Field, needles: set[str]) -> list[object]:
    name = column.name
    manager = model._base_manager
    match = Q()
    if isinstance(column, models.JSONField):
        rows = manager.annotate(_as_text=Cast(name, models.TextField()))
        for spelling in {spelling for needle in needles for spelling in json_spellings(needle)}:
            match |= Q(_as_text__icontains=spelling)
    else:
        rows = manager.all()
        for needle in needles:
            match |= Q(**{f"{name}__icontains": needle})
    return list(rows.filter(match).values_list("pk", flat=True))


def traces_anonymise(traces: list[Trace], redactor: Redactor, counts: Counts, rewritten: Rewritten) -> None:
    """The rows found get the same redaction, read again inside the erasure's transaction."""
    for model, name, pk in traces:
        rows = model._base_manager.filter(pk=pk)
        value = rows.values_list(name, flat=True).first()
        new = redactor.json(value) if isinstance(value, dict | list) else redactor.text(value or "")
        if value is not None and new != value:
            # update(), not save(): the row may be an append-only one (the timeline), see card_anonymise.
            rows.update(**{name: new})
            counts.other_rows += 1
            rewritten.setdefault(model, set()).add(pk)
