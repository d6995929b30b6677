"""Writes: create notifications (idempotent on user + key), mark them read, set e-mail preferences.
Sending by e-mail is the delivery job's (delivery.py)."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.events import event_notification_row
from amends.complaints.models import Complaint, TimelineEvent
from amends.core.bulk import insert_rows

from .models import EmailMode, Notification, NotificationPreference

# The deadline sweep writes its own escalation event on the card; a second one would repeat it.
OWN_TIMELINE_EVENT_PREFIX = "deadline_"


@dataclass(frozen=True)
class NotificationSpec:
    user_id: int
    kind: str
    key: str  # unique per user: the same (user, key) twice is one notification
    complaint_id: int | None
    template: str  # first line the subject, the rest the body; rendered in the recipient's language
    context: dict = field(default_factory=dict)  # JSON-serialisable
    cards: tuple[str, ...] | list[str] = ()  # the numbers of the cards a notice about several lists


def notify_many(specs: list[NotificationSpec]) -> int:
    """Create the notifications not created before and note them on their cards' timelines;
    returns how many were new. A fixed number of queries whatever the number of specs
    (beyond the database's own bulk-insert batch size)."""
    unique: dict[tuple[int, str], NotificationSpec] = {}
    for spec in specs:
        unique.setdefault((spec.user_id, spec.key), spec)
    if not unique:
        return 0
    batch, now = uuid.uuid4(), timezone.now()
    with transaction.atomic():
        insert_rows(Notification, [
            Notification(
                user_id=spec.user_id, kind=spec.kind, key=spec.key, complaint_id=spec.complaint_id,
                template=spec.template, context=spec.context, created_at=now, batch=batch,
                card_numbers=card_numbers_field(spec.cards),
            )
            for spec in unique.values()
        ], ignore_conflicts=True)
        # Only the rows this call inserted carry its batch, not a concurrent call's or an earlier one's.
        created = list(Notification.objects.filter(batch=batch).values_list("user_id", "complaint_id", "kind"))
        _note_on_timelines(created)
    return len(created)


def card_numbers_field(numbers: Iterable[str]) -> str:
    """Space around each number, so that the filter by card finds " 2026-12 " and never 2026-123."""
    numbers = list(numbers)
    return f" {' '.join(numbers)} " if numbers else ""


def notify(*, users: Iterable[User], kind: str, key: str, complaint: Complaint | None,
           template: str, context: dict | None = None) -> int:
    complaint_id = complaint.pk if complaint is not None else None
    return notify_many([
        NotificationSpec(user_id=user.pk, kind=kind, key=key, complaint_id=complaint_id,
                         template=template, context=context or {})
        for user in users
    ])


def _note_on_timelines(created: Iterable[tuple[int, int | None, str]]) -> None:
    """One NOTIFICATION event per card naming the recipients of this batch."""
    recipients: dict[int, set[int]] = defaultdict(set)
    for user_id, complaint_id, kind in created:
        if complaint_id is not None and not kind.startswith(OWN_TIMELINE_EVENT_PREFIX):
            recipients[complaint_id].add(user_id)
    if not recipients:
        return
    user_ids = set().union(*recipients.values())
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=user_ids).only(
        "username", "first_name", "last_name")}
    # No lifecycle signal: a NOTIFICATION event starts, meets or stops no clock.
    insert_rows(TimelineEvent, [
        event_notification_row(complaint_id, ", ".join(sorted(names[pk] for pk in user_ids)))
        for complaint_id, user_ids in recipients.items()
    ])


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def notifications_mark_read(*, notifications: QuerySet[Notification]) -> int:
    """Mark these (one user's, chosen or matching a filter) read; returns how many were unread."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user: User, email: str, daily_hour: int) -> NotificationPreference:
    preference = NotificationPreference(user=user, email=EmailMode(email), daily_hour=daily_hour)
    preference.full_clean(exclude=["user"])
    preference.save()
    return preference
