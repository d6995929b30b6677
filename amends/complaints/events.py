"""The one place that writes a card's timeline: a typed constructor per kind of event.

Each `event_*` saves one row (or, for field changes, one bulk insert); each `*_row` builds an unsaved
row for a caller that inserts many at once. Saving a row announces nothing: the services send the
lifecycle signals (signals.py), so a bulk insert has no hidden hook to miss.
"""

from collections.abc import Iterable
from datetime import datetime

from amends.accounts.models import User
from amends.audit.models import AuditEntry
from amends.audit.services import audit_seal

from .choices import EventKind
from .event_texts import SENT_DESPITE_CHECK, Params, event_text
from .models import Attachment, Complaint, TimelineEvent

# The code of a note that answers the customer's message after the answer without reopening.
KEPT_CLOSED = "kept_closed"


def event_registered(complaint: Complaint, actor: User | None) -> TimelineEvent:
    event = event_registered_row(complaint, actor)
    event.save()
    return event


def event_registered_row(complaint: Complaint, actor: User | None) -> TimelineEvent:
    return TimelineEvent(
        complaint=complaint, kind=EventKind.REGISTERED, actor=actor,
        to_state=complaint.state, text=complaint.get_channel_display(),
    )


def event_transition(
    complaint: Complaint, actor: User | None, *, transition: str, from_state: str, to_state: str, text: str = "",
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.TRANSITION, actor=actor, transition=transition,
        from_state=from_state, to_state=to_state, text=text,
    )


def event_field_changes(
    complaint: Complaint, actor: User | None, changes: Iterable[tuple[str, str, str]],
) -> list[TimelineEvent]:
    """One FIELD_CHANGE row per (field, old value, new value), as a person reads them, in one insert."""
    return TimelineEvent.objects.bulk_create([
        TimelineEvent(
            complaint=complaint, kind=EventKind.FIELD_CHANGE, actor=actor, field=name,
            old_value=old, new_value=new,
        )
        for name, old, new in changes
    ])


def event_note(complaint: Complaint, actor: User | None, text: str) -> TimelineEvent:
    return TimelineEvent.objects.create(complaint=complaint, kind=EventKind.NOTE, actor=actor, text=text)


def event_call(complaint: Complaint, actor: User | None, text: str) -> TimelineEvent:
    return TimelineEvent.objects.create(complaint=complaint, kind=EventKind.CALL, actor=actor, text=text)


def event_message_in(complaint: Complaint, actor: User | None, text: str) -> TimelineEvent:
    return TimelineEvent.objects.create(complaint=complaint, kind=EventKind.MESSAGE_IN, actor=actor, text=text)


def event_message_out(complaint: Complaint, actor: User | None, text: str) -> TimelineEvent:
    return TimelineEvent.objects.create(complaint=complaint, kind=EventKind.MESSAGE_OUT, actor=actor, text=text)


def event_sent_despite_check(
    complaint: Complaint, actor: User | None, *, reason: str, findings: list[str],
) -> TimelineEvent:
    """A text went to the customer with open findings of the tone check; why, as the sender said."""
    params = {"reason": reason, "findings": findings}
    event = _worded_row(complaint.pk, EventKind.NOTE, SENT_DESPITE_CHECK, params, actor)
    event.save()
    return event


def event_kept_closed(complaint: Complaint, actor: User | None, text: str) -> TimelineEvent:
    """The customer's message after the answer was handled without reopening the card; `text` says how."""
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.NOTE, actor=actor, code=KEPT_CLOSED, text=text,
    )


def event_attachment(complaint: Complaint, actor: User | None, attachment: Attachment) -> TimelineEvent:
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.ATTACHMENT, actor=actor,
        text=attachment.original_name, attachment=attachment,
    )


def _worded_row(complaint_id: int, kind: str, code: str, params: Params, actor: User | None) -> TimelineEvent:
    """An entry kept as `code` and `params` (event_texts.py), worded for each reader; its `text` is
    the writer's wording, for search, the audit chain and erasure."""
    text = event_text(kind, code, params)
    assert text is not None, f"no wording for {kind} {code}"  # a writer without its renderer is a bug
    return TimelineEvent(
        complaint_id=complaint_id, kind=kind, actor=actor, code=code, params=params, text=text,
    )


def event_measure(complaint: Complaint, actor: User | None, code: str, params: Params) -> TimelineEvent:
    """`code` is planned, removed or done (event_texts.MEASURE_*)."""
    event = _worded_row(complaint.pk, EventKind.MEASURE, code, params, actor)
    event.save()
    return event


def event_deadline(complaint: Complaint, actor: User | None, code: str, params: Params) -> TimelineEvent:
    """`code` says what happened to the clocks: retimed, waiting, resumed, preset, extended,
    recomputed, or an escalation step (at_risk, breached, escalated)."""
    event = event_deadline_row(complaint.pk, code, params, actor)
    event.save()
    return event


def event_deadline_row(complaint_id: int, code: str, params: Params, actor: User | None = None) -> TimelineEvent:
    return _worded_row(complaint_id, EventKind.DEADLINE, code, params, actor)


def event_compensation(complaint: Complaint, actor: User | None, code: str, params: Params) -> TimelineEvent:
    """`code` says what happened to a grant: granted, pending (above the limit), approved, refused;
    or the goods' price set for the statutory penalty (answers/event_texts.py words them)."""
    event = _worded_row(complaint.pk, EventKind.COMPENSATION, code, params, actor)
    event.save()
    return event


def event_nonconformity(complaint: Complaint, actor: User | None, code: str, params: Params) -> TimelineEvent:
    """`code` says what happened between the card and a nonconformity: linked, unlinked, its measure
    promoted to a corrective action (capa/event_texts.py words them)."""
    event = _worded_row(complaint.pk, EventKind.NONCONFORMITY, code, params, actor)
    event.save()
    return event


def event_imported_row(complaint_id: int, *, state: str, at: datetime, text: str,
                       actor: User | None = None) -> TimelineEvent:
    """The registration of a card brought in from a journal (imports), dated when the complaint came and
    in the state it had there; `text` names the journal and its row. Set `created_at` again after a
    save, or insert the row's values as they are: `auto_now_add` would date it now."""
    event = TimelineEvent(complaint_id=complaint_id, kind=EventKind.REGISTERED, actor=actor, to_state=state, text=text)
    event.created_at = at
    return event


def event_worded_note(complaint: Complaint, actor: User | None, code: str, params: Params) -> TimelineEvent:
    """A note kept as `code` and `params`, worded for each reader by the renderer its app registered
    (event_texts.event_text_register), e.g. why the system changed the card."""
    event = _worded_row(complaint.pk, EventKind.NOTE, code, params, actor)
    event.save()
    return event


def event_notification(complaint: Complaint, text: str) -> TimelineEvent:
    return TimelineEvent.objects.create(complaint=complaint, kind=EventKind.NOTIFICATION, text=text)


def event_notification_row(complaint_id: int, text: str) -> TimelineEvent:
    return TimelineEvent(complaint_id=complaint_id, kind=EventKind.NOTIFICATION, text=text)


def event_file_received(
    complaint: Complaint, *, reference: str, note: str, attachment: Attachment | None = None,
) -> TimelineEvent:
    """A note on a file the customer sent through a channel that delivers it later; `reference`
    marks the file as done on this card."""
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.NOTE, text=note, reference=reference, attachment=attachment,
    )


def event_acknowledgement(complaint: Complaint, recipient: str) -> TimelineEvent:
    """The automatic acknowledgement (number and tracking link) went to the customer at `recipient`."""
    event = event_acknowledgement_row(complaint, recipient)
    event.save()
    return event


def event_acknowledgement_row(complaint: Complaint, recipient: str) -> TimelineEvent:
    return TimelineEvent(complaint=complaint, kind=EventKind.ACKNOWLEDGEMENT, text=recipient)


def event_sign_off(complaint: Complaint, actor: User, signed_as: str) -> TimelineEvent:
    """`actor` signed the card off; `signed_as` names the capacity (responsible person, head of the QMS)."""
    return TimelineEvent.objects.create(complaint=complaint, kind=EventKind.SIGN_OFF, actor=actor, text=signed_as)


def event_answer_sent(complaint: Complaint, actor: User | None, code: str, params: Params) -> TimelineEvent:
    """Exactly what left for the customer: `params` hold the channel, recipient, subject, text,
    attachments, when it left and any reason to send despite open findings; `code` is the channel."""
    event = _worded_row(complaint.pk, EventKind.ANSWER_SENT, code, params, actor)
    event.save()
    return event


def event_personal_data_erased(complaint: Complaint, actor: User | None, text: str) -> TimelineEvent:
    """The audit entry of an anonymisation (a request or the retention policy): the only trace left
    of what was erased, so `text` says why and never what."""
    return TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.PERSONAL_DATA, actor=actor, text=text,
    )


def timeline_seal(*, now: datetime | None = None) -> AuditEntry | None:
    """Seal the events written since the last seal into the audit chain: from then on `amends audit
    verify` finds any of them changed or removed. Run by the worker every few minutes."""
    return audit_seal(model=TimelineEvent, now=now)
