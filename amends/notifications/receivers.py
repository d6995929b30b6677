"""Staff hear of what happens to cards: the complaints services announce it (complaints/signals.py).

Each receiver reads what it needs while the service's transaction is open (the card as that step
left it) and notifies once it commits: nobody is told about a step that was rolled back. Keys make
each notice once per happening; the person who acted is never told of their own action."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import transaction

from amends.accounts.models import User
from amends.complaints.choices import EventKind
from amends.complaints.models import Attachment, Complaint, Measure, TimelineEvent

from .card import notify_qms_heads, notify_users, qms_heads

TEMPLATES = "notifications/card/{}.txt"
_muted: ContextVar[bool] = ContextVar("lifecycle_notifications_muted", default=False)


@contextmanager
def lifecycle_notifications_muted():
    """No lifecycle notices for what happens inside: for replaying history (the demo's past),
    where a notice written today about a step taken months ago would mislead."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _notify_after_commit(
    users: Iterable[User], complaint: Complaint, kind: str, key: str, actor: User | None, **context: Any,
) -> None:
    recipients = [user for user in users if actor is None or user.pk != actor.pk]
    if _muted.get() or not recipients:
        return
    if actor is not None:
        context["by"] = str(actor)
    transaction.on_commit(lambda: notify_users(
        recipients, complaint, template=TEMPLATES.format(kind), kind=kind, key=key, **context,
    ))


def _responsible_or_heads(complaint: Complaint) -> tuple[list[User], bool]:
    """Who answers for the card: its responsible person, or the QMS heads while nobody is (True)."""
    responsible = complaint.responsible
    if responsible is not None and responsible.is_active:
        return [responsible], False
    return qms_heads(), True


def _measure_items(measures: Iterable[Measure]) -> list[dict[str, str]]:
    return [
        {"description": m.description, "executor": str(m.executor), "due": m.due_date.isoformat()}
        for m in measures
    ]


def on_internal_complaint_filed(sender, *, complaint: Complaint, **kwargs) -> None:
    transaction.on_commit(lambda: notify_qms_heads(complaint))


def on_changed(sender, *, complaint: Complaint, actor: User | None, fields: frozenset[str], **kwargs) -> None:
    """A responsible person set or changed, by the assign step or by an edit."""
    if "responsible" not in fields or complaint.responsible is None:
        return
    _notify_after_commit([complaint.responsible], complaint, "assigned",
                         f"assigned:{complaint.pk}:{complaint.version}", actor)


def on_transitioned(
    sender, *, complaint: Complaint, actor: User | None, transition: str, at: datetime, **kwargs,
) -> None:
    handler = TRANSITION_NOTICES.get(transition)
    if handler is not None:
        handler(complaint, actor, f"{complaint.pk}:{at.isoformat()}")


def _plan_submitted(complaint: Complaint, actor: User | None, when: str) -> None:
    pending = complaint.measures.filter(done_at__isnull=True).select_related("executor")
    _notify_after_commit(qms_heads(), complaint, "plan_submitted", f"plan_submitted:{when}", actor,
                         measures=_measure_items(pending))


def _measures_approved(complaint: Complaint, actor: User | None, when: str) -> None:
    """Each executor hears of their own measures, in one notice per card."""
    mine: dict[int, list[Measure]] = defaultdict(list)
    for measure in complaint.measures.filter(done_at__isnull=True).select_related("executor"):
        mine[measure.executor_id].append(measure)
    for measures in mine.values():
        _notify_after_commit([measures[0].executor], complaint, "measure_approved",
                             f"measure_approved:{when}", actor, measures=_measure_items(measures))


def _plan_returned(complaint: Complaint, actor: User | None, when: str) -> None:
    # The reason is the step's comment, the text of the transition entry just written.
    entry = complaint.events.filter(kind=EventKind.TRANSITION).order_by("-pk").first()
    users, _unassigned = _responsible_or_heads(complaint)
    _notify_after_commit(users, complaint, "plan_returned", f"plan_returned:{when}", actor,
                         reason=entry.text if entry else "")


TRANSITION_NOTICES: dict[str, Callable[[Complaint, User | None, str], None]] = {
    "plan": _plan_submitted,
    "approve": _measures_approved,
    "return_plan": _plan_returned,
}


def on_measure_reported(sender, *, complaint: Complaint, measure: Measure, actor: User | None, **kwargs) -> None:
    users, _unassigned = _responsible_or_heads(complaint)
    remaining = complaint.measures.filter(done_at__isnull=True).count()
    _notify_after_commit(users, complaint, "measure_done", f"measure_done:{measure.pk}:{measure.done_at}", actor,
                         measure=measure.description, report=measure.report, remaining=remaining)


def on_customer_replied(
    sender, *, complaint: Complaint, event: TimelineEvent, attachments: Iterable[Attachment] = (), **kwargs,
) -> None:
    """Whatever brought it (mail, messenger, the tracking page, an operator typing it in), and
    whatever the card's state: a message after the answer matters most."""
    users, unassigned = _responsible_or_heads(complaint)
    _notify_after_commit(users, complaint, "customer_message", f"customer_message:{event.pk}", event.actor,
                         text=event.text, files=[a.original_name for a in attachments], unassigned=unassigned)


def on_customer_file_received(sender, *, complaint: Complaint, event: TimelineEvent, **kwargs) -> None:
    # A file of the message that registered the card is part of the new card, not news about it.
    if not complaint.events.filter(kind=EventKind.MESSAGE_IN).exists():
        return
    users, unassigned = _responsible_or_heads(complaint)
    _notify_after_commit(users, complaint, "customer_file", f"customer_file:{event.pk}", None,
                         note=event.text, unassigned=unassigned)
