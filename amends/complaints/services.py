"""Every write to a complaint card: each runs in one transaction and records its timeline event."""

import os
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.access import access_register_complaint
from amends.accounts.roles import Role
from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed

from . import access
from .access import relations
from .choices import Channel, EventKind, Importance, Origin
from .models import Attachment, Complaint, Measure, NumberSequence, TimelineEvent
from .notify import notify_qms_heads
from .transitions import TRANSITIONS

# Fields whose changes are written to the timeline as old → new.
TRACKED_FIELDS = (
    "received_at", "channel", "origin", "organisation", "contact", "project", "product",
    "component", "supplier", "order_reference", "employee_concerned", "department_concerned",
    "wording", "responsible", "category", "cause", "importance", "justification", "opinion",
    "opinion_date", "actions_taken", "answer_text", "time_spent_minutes", "satisfaction",
    "loyalty", "customer_unreachable", "unreachable_note", "duplicate_of", "needs_investigation",
    "demand_presented_at",
)
# Who may carry out a measure.
EXECUTOR_ROLES = (Role.EXECUTOR, Role.RESPONSIBLE, Role.QMS_HEAD)
# Fields a user may edit directly on the card (the rest change through transitions).
EDITABLE_FIELDS = (
    "received_at", "channel", "origin", "organisation", "contact", "project", "product",
    "component", "supplier", "order_reference", "employee_concerned", "department_concerned",
    "wording", "category", "importance", "needs_investigation", "demand_presented_at", "actions_taken",
    "time_spent_minutes",
)


REGISTRATION_RELATIONS = (
    "contact", "organisation", "product", "component", "supplier", "category",
    "department_concerned", "registered_by",
)


def _next_number(year: int) -> str:
    """Take the next number of the year in one statement; the row stays locked until commit."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])
        row = cursor.fetchone()
    if row is not None:
        return f"{year}-{row[0]:06d}"
    try:
        with transaction.atomic():
            NumberSequence.objects.create(year=year, last=1)
    except IntegrityError:
        # A concurrent registration opened the year first; its row is committed now.
        return _next_number(year)
    return f"{year}-{1:06d}"


def complaint_number_take(received_at: datetime) -> str:
    """The next number of the year `received_at` falls in, for a submission stored to become a card
    later; call it inside the transaction that stores the submission."""
    return _next_number(timezone.localtime(received_at).year)


def _format(complaint: Complaint, name: str, raw: Any) -> str:
    """A stored value as a person reads it on the timeline."""
    if raw is None or raw == "":
        return ""
    model_field = complaint._meta.get_field(name)
    if model_field.is_relation:
        related = model_field.related_model.objects.filter(pk=raw).first()
        return str(related) if related else str(raw)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if isinstance(raw, datetime):
        return timezone.localtime(raw).strftime("%Y-%m-%d %H:%M")
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    return str(raw)


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        name: getattr(complaint, complaint._meta.get_field(name).attname)
        for name in TRACKED_FIELDS
    }


def _record_field_changes(complaint: Complaint, before: dict, actor) -> list[str]:
    after = _snapshot(complaint)
    changed = [name for name in TRACKED_FIELDS if before[name] != after[name]]
    TimelineEvent.objects.bulk_create([
        TimelineEvent(
            complaint=complaint, kind=EventKind.FIELD_CHANGE, actor=actor, field=name,
            old_value=_format(complaint, name, before[name]),
            new_value=_format(complaint, name, after[name]),
        )
        for name in changed
    ])
    return changed


def _locked(complaint: Complaint, expected_version: int | None) -> Complaint:
    fresh = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleObject(
            _("Someone else changed complaint %(number)s while you were editing it. "
              "Reload the card and try again.") % {"number": fresh.number}
        )
    return fresh


def attachment_check(upload: UploadedFile) -> None:
    limit = settings.AMENDS_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file “%(name)s” is larger than %(limit)d MB.")
            % {"name": upload.name, "limit": limit // (1024 * 1024)}
        )
    extension = os.path.splitext(upload.name)[1].lower().lstrip(".")
    if extension not in settings.AMENDS_ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("Files of type “%(ext)s” are not accepted.") % {"ext": extension or "?"}
        )


def _store_attachment(complaint: Complaint, upload: UploadedFile, actor) -> Attachment:
    attachment_check(upload)
    attachment = Attachment(
        complaint=complaint, original_name=os.path.basename(upload.name)[:255], size=upload.size,
        content_type=getattr(upload, "content_type", "") or "", uploaded_by=actor,
    )
    attachment.file.save(os.path.basename(upload.name), upload, save=False)
    attachment.save()
    TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.ATTACHMENT, actor=actor,
        text=attachment.original_name, attachment=attachment,
    )
    return attachment


def complaint_register(
    *, actor, channel: str, wording: str, received_at: datetime | None = None,
    origin: str = Origin.EXTERNAL, contact=None, organisation=None, product=None,
    component=None, supplier=None, category=None, importance: str = Importance.MEDIUM,
    order_reference: str = "", project: str = "", employee_concerned: str = "",
    department_concerned=None, attachments: list[UploadedFile] = (), external_id: str = "",
    thread_key: str = "", consent_text: str = "", consent_at: datetime | None = None,
    duplicates: str = "queued", number: str = "", tracking_code: str = "",
) -> Complaint:
    """Register a complaint from any channel and give it its number (DOMAIN.md §1).

    `actor` is the employee who registers it; None when a channel (web form, e-mail,
    messenger) registers it by itself. The near-duplicate search (`duplicates`) is "queued" for the
    worker so that channels answer fast, runs "now" for the operator's screen, or is left to a
    "caller" that queues it with its own follow-up work. Everything is checked before the
    transaction opens, so that it holds the database (SQLite: the whole file) only for the writes.

    A `number` and `tracking_code` come with a submission accepted earlier (web form, API), which
    the customer was given then; its actor's right to register was checked when it was accepted.
    """
    if actor is not None and not number:
        access_register_complaint(actor)
    if channel == Channel.INTERNAL:
        origin = Origin.INTERNAL
    if organisation is None and contact is not None:
        organisation = contact.organisation
    return _create_card(
        actor=actor, attachments=attachments, received_at=received_at or timezone.now(),
        channel=channel, origin=origin, contact=contact, organisation=organisation, product=product,
        component=component, supplier=supplier, category=category, importance=importance,
        order_reference=order_reference.strip(), project=project.strip(),
        employee_concerned=employee_concerned.strip(), department_concerned=department_concerned,
        wording=wording.strip(), external_id=external_id.strip(), thread_key=thread_key,
        consent_text=consent_text, consent_at=consent_at, duplicates=duplicates, number=number,
        **({"tracking_code": tracking_code} if tracking_code else {}),
    )


def complaint_file_internal(
    *, actor, department_concerned, wording: str, employee_concerned: str = "",
    importance: str = Importance.MEDIUM, attachments: list[UploadedFile] = (),
) -> Complaint:
    """Any employee's complaint about another department's failure: an appeal to the QMS,
    routed to the head of the QMS (DOMAIN.md §1)."""
    if not actor.is_active:
        raise AccessDenied("Only active employees file internal complaints.")
    if department_concerned is None:
        raise ValidationError({"department_concerned": _("Choose the department the complaint is about.")})
    complaint = _create_card(
        actor=actor, attachments=attachments, received_at=timezone.now(), channel=Channel.INTERNAL,
        origin=Origin.INTERNAL, department_concerned=department_concerned, wording=wording.strip(),
        employee_concerned=employee_concerned.strip(), importance=importance,
    )
    transaction.on_commit(lambda: notify_qms_heads(complaint))
    return complaint


def _create_card(*, actor, attachments, duplicates: str = "now", number: str = "", **fields) -> Complaint:
    for upload in attachments:
        attachment_check(upload)
    complaint = Complaint(registered_by=actor, number=number or "pending", **fields)
    # Related objects arrive as loaded instances: skip re-reading each one to check it exists. The only
    # unique field left is the random tracking code; the database's constraint guards it.
    complaint.full_clean(exclude=["number", *REGISTRATION_RELATIONS], validate_unique=False)
    with transaction.atomic():
        if not number:
            complaint.number = complaint_number_take(complaint.received_at)
        _insert_card(complaint, actor=actor, attachments=attachments, queue_duplicates=duplicates == "queued")
    # Near-duplicates from any channel are found here or by the worker; an exact repeat may be linked.
    # After the card's own transaction, so that the search does not hold up other registrations.
    if duplicates == "now":
        from amends.duplicates.services import duplicates_check

        duplicates_check(complaint=complaint)
    return complaint


def _insert_card(complaint: Complaint, *, actor, attachments, queue_duplicates: bool) -> None:
    complaint.save()
    TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.REGISTERED, actor=actor,
        to_state=complaint.state, text=complaint.get_channel_display(),
    )
    for upload in attachments:
        _store_attachment(complaint, upload, actor)
    if queue_duplicates:
        from amends.duplicates.tasks import check_duplicates

        check_duplicates.enqueue(complaint.pk)


@transaction.atomic
def complaint_transition(
    *, complaint: Complaint, name: str, actor, data: dict[str, Any] | None = None,
    comment: str = "", expected_version: int | None = None,
) -> Complaint:
    """Take one step of the lifecycle: lock, check the table and the role, record, bump the version."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(_("There is no action “%(name)s”.") % {"name": name})
    complaint = _locked(complaint, expected_version)
    # actor=None is the system itself (e.g. an exact duplicate linked on arrival).
    if actor is not None and not transition.performers & relations(actor, complaint):
        raise AccessDenied(
            _("You may not “%(action)s” complaint %(number)s.")
            % {"action": transition.label, "number": complaint.number}
        )
    if (reason := transition.blocked_reason(complaint)) is not None:
        raise TransitionNotAllowed(str(reason))
    comment = comment.strip()
    if transition.requires_comment and not comment:
        raise ValidationError({"comment": _("Give the reason.")})
    before = _snapshot(complaint)
    transition.apply(complaint, data or {}, actor)
    from_state, complaint.state = complaint.state, transition.target
    complaint.version += 1
    complaint.save()
    _record_field_changes(complaint, before, actor)
    TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.TRANSITION, actor=actor, transition=name,
        from_state=from_state, to_state=complaint.state, text=comment,
    )
    return complaint


@transaction.atomic
def complaint_update(
    *, complaint: Complaint, actor, changes: dict[str, Any], expected_version: int | None = None,
) -> Complaint:
    """Edit the card's own fields; each change is written to the timeline as old → new."""
    complaint = _locked(complaint, expected_version)
    access.access_edit_complaint(actor, complaint)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %s") % ", ".join(sorted(unknown)))
    before = _snapshot(complaint)
    for name, value in changes.items():
        setattr(complaint, name, value)
    # The same rules as at registration.
    if complaint.channel == Channel.INTERNAL:
        complaint.origin = Origin.INTERNAL
    if "contact" in changes and "organisation" not in changes and complaint.contact is not None:
        complaint.organisation = complaint.contact.organisation
    complaint.full_clean()
    changed = _record_field_changes(complaint, before, actor)
    if changed:
        complaint.version += 1
        complaint.save()
    if {"wording", "contact"} & set(changed):
        from amends.duplicates.services import duplicates_check

        duplicates_check(complaint=complaint)
    return complaint


@transaction.atomic
def complaint_add_note(*, complaint: Complaint, actor, text: str) -> TimelineEvent:
    access.access_view_complaint(actor, complaint)
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.NOTE, actor=actor, text=text.strip(),
    )


def complaint_log_call(*, complaint: Complaint, actor, text: str) -> TimelineEvent:
    """An operator called the customer back; it counts as a response to the customer (DOMAIN.md §5)."""
    access.access_view_complaint(actor, complaint)
    if not text.strip():
        raise ValidationError({"text": _("Say what was discussed on the call.")})
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.CALL, actor=actor, text=text.strip(),
    )


@transaction.atomic
def complaint_add_message(
    *, complaint: Complaint, incoming: bool, text: str, actor=None,
    attachments: list[UploadedFile] = (),
) -> TimelineEvent:
    """A message from the customer (incoming) or to them, on the card's timeline with its files."""
    for upload in attachments:
        attachment_check(upload)
    event = TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.MESSAGE_IN if incoming else EventKind.MESSAGE_OUT,
        actor=actor, text=text.strip(),
    )
    for upload in attachments:
        _store_attachment(complaint, upload, actor)
    return event


@transaction.atomic
def complaint_attach(*, complaint: Complaint, actor, upload: UploadedFile) -> Attachment:
    complaint = _locked(complaint, None)
    access.access_view_complaint(actor, complaint)
    if not complaint.is_open:
        raise ValidationError(_("Files are not added to a closed card."))
    return _store_attachment(complaint, upload, actor)


@transaction.atomic
def complaint_receive_file(
    *, complaint: Complaint, reference: str, note: str, upload: UploadedFile | None = None,
) -> Attachment | None:
    """A file the customer sent through a channel that delivers it after the message (a messenger's
    file, fetched by the worker): attached by nobody in particular, with a note saying where it came
    from; without an upload (it could not be fetched or kept), only the note saying why. Once per
    `reference`, kept on the note: a repeated call changes nothing and returns None. Closed cards
    take it too, since the message that carried the file is already on them."""
    complaint = _locked(complaint, None)
    if complaint.events.filter(kind=EventKind.NOTE, new_value=reference).exists():
        return None
    attachment = _store_attachment(complaint, upload, None) if upload is not None else None
    TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.NOTE, text=note, new_value=reference, attachment=attachment,
    )
    return attachment


@transaction.atomic
def measure_add(
    *, complaint: Complaint, actor, description: str, executor, due_date: date,
) -> Measure:
    complaint = _locked(complaint, None)
    access.access_plan_measures(actor, complaint)
    if not executor.has_role(*EXECUTOR_ROLES):
        raise ValidationError({"executor": _("%(user)s cannot be an executor.") % {"user": executor}})
    measure = Measure(
        complaint=complaint, description=description.strip(), executor=executor, due_date=due_date,
    )
    measure.full_clean()
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past.")})
    measure.save()
    TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.MEASURE, actor=actor,
        text=_("Measure planned: %(measure)s — %(executor)s, due %(due)s")
        % {"measure": measure.description, "executor": executor, "due": due_date.isoformat()},
    )
    return measure


@transaction.atomic
def measure_remove(*, measure: Measure, actor) -> None:
    complaint = _locked(Complaint(pk=measure.complaint_id), None)
    measure = Measure.objects.get(pk=measure.pk, complaint=complaint)
    access.access_plan_measures(actor, complaint)
    TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.MEASURE, actor=actor,
        text=_("Measure removed: %(measure)s") % {"measure": measure.description},
    )
    measure.delete()


@transaction.atomic
def measure_report(*, measure: Measure, actor, report: str) -> Measure:
    measure = Measure.objects.select_for_update().select_related("complaint").get(pk=measure.pk)
    access.access_report_measure(actor, measure)
    if not report.strip():
        raise ValidationError({"report": _("Describe what was done.")})
    measure.report = report.strip()
    measure.done_at = timezone.now()
    measure.save(update_fields=["report", "done_at", "updated_at"])
    TimelineEvent.objects.create(
        complaint=measure.complaint, kind=EventKind.MEASURE, actor=actor,
        text=_("Measure done: %(measure)s. Report: %(report)s")
        % {"measure": measure.description, "report": measure.report},
    )
    return measure
