"""The deadline sweep: fire each escalation step of each clock once, whatever the number of cards.

Each step is one transaction: claim the clocks that crossed its threshold with one conditional
UPDATE (level n-1 → n), so two sweeps running at once cannot both fire a step; then write one
DEADLINE event per clock and the notifications in bulk. A crash rolls the claim back with the
rest, and the next sweep fires what did not fire. The number of queries does not depend on the
number of clocks.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.events import event_deadline_row
from amends.complaints.models import TimelineEvent
from amends.core.bulk import insert_rows
from amends.core.dates import datetime_text
from amends.notifications.services import NotificationSpec, notify_many

from .choices import ClockKind, Level
from .models import Clock, EscalationStep
from .services import THRESHOLD_FIELDS

STEP_CODES = {Level.AT_RISK: "at_risk", Level.BREACHED: "breached", Level.ESCALATED: "escalated"}
# The ladder when an administrator removed a step's row: (responsible, QMS heads, managers).
DEFAULT_RECIPIENTS = {
    Level.AT_RISK: (True, False, False), Level.BREACHED: (False, True, False), Level.ESCALATED: (False, False, True),
}


@dataclass
class SweepResult:
    fired: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEP_CODES.values(), 0))
    notifications: int = 0

    def __str__(self) -> str:
        steps = ", ".join(f"{code} {count}" for code, count in self.fired.items())
        return f"{steps}; {self.notifications} notifications"


def _claim(level: Level, now: datetime) -> set[int]:
    """Raise the level of the ticking clocks past this step's threshold; the ids this call raised."""
    table = connection.ops.quote_name(Clock._meta.db_table)
    threshold = connection.ops.quote_name(THRESHOLD_FIELDS[level])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET level = %s WHERE level = %s AND {threshold} <= %s"
            " AND met_at IS NULL AND stopped_at IS NULL AND paused_at IS NULL RETURNING id",
            [level, level - 1, connection.ops.adapt_datetimefield_value(now)],
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class Recipients:
    """Whom one step tells about each clock: its card's responsible person, the QMS heads, the managers."""

    people: dict[int, User]
    heads: list[User]
    bosses: list[User]
    to_responsible: bool
    to_heads: bool

    @classmethod
    def of_step(cls, level: Level, responsible_ids: set[int | None]) -> "Recipients":
        step = EscalationStep.objects.filter(level=level).first()
        to_responsible, to_heads, to_bosses = (
            (step.notify_responsible, step.notify_qms_heads, step.notify_managers)
            if step else DEFAULT_RECIPIENTS[level]
        )
        active = User.objects.filter(is_active=True).only("pk", "username", "first_name", "last_name")
        wanted = {pk for pk in responsible_ids if pk is not None}
        people = {u.pk: u for u in active.filter(pk__in=wanted)} if to_responsible else {}
        # A card nobody (active) is responsible for goes to the QMS heads, who assign it.
        need_heads = to_heads or (to_responsible and bool(responsible_ids - set(people)))
        heads = list(active.filter(groups__name=Role.QMS_HEAD).distinct()) if need_heads else []
        bosses = list(active.filter(groups__name=Role.MANAGER).distinct()) if to_bosses else []
        return cls(people, heads, bosses, to_responsible, to_heads)

    def for_card(self, responsible_id: int | None) -> list[User]:
        found = []
        if self.to_responsible:
            found += [self.people[responsible_id]] if responsible_id in self.people else self.heads
        if self.to_heads:
            found += self.heads
        found += self.bosses
        return list({user.pk: user for user in found}.values())


def _insert_events(events: list[tuple[int, str, str]]) -> None:
    """DEADLINE events given as (card, code, text), in one statement for any number of them.
    No lifecycle signal: an escalation step is the clock's own news and meets no clock."""
    insert_rows(TimelineEvent, [event_deadline_row(card, code, text) for card, code, text in events])


def _fire(level: Level, now: datetime) -> tuple[int, int]:
    field_name = THRESHOLD_FIELDS[level]
    candidates = list(
        Clock.objects.filter(
            level=level - 1, met_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True,
            **{f"{field_name}__lte": now},
        ).values_list("pk", "complaint_id", "kind", "due_at", "complaint__responsible_id")
    )
    if not candidates:
        return 0, 0
    claimed = _claim(level, now)
    fired = [row for row in candidates if row[0] in claimed]
    if not fired:
        return 0, 0
    recipients = Recipients.of_step(level, {row[4] for row in fired})
    code, step, nobody = STEP_CODES[level], str(Level(level).label), _("nobody")
    template = _("%(step)s: %(clock)s, due %(due)s. Notified: %(people)s.")
    clock_labels = {kind.value: str(kind.label) for kind in ClockKind}
    events: list[tuple[int, str, str]] = []
    specs: list[NotificationSpec] = []
    for pk, complaint_id, kind, due_at, responsible_id in fired:
        notified = recipients.for_card(responsible_id)
        events.append((complaint_id, code, template % {
            "step": step, "clock": clock_labels[kind], "due": datetime_text(due_at),
            "people": ", ".join(str(user) for user in notified) or nobody,
        }))
        specs.extend(
            NotificationSpec(
                user_id=user.pk, kind=f"deadline_{code}", key=f"clock:{pk}:level:{level}",
                complaint_id=complaint_id, template=f"deadlines/notifications/{code}.txt",
                context={"clock": kind, "due_at": due_at.isoformat(), "step": level},
            )
            for user in notified
        )
    _insert_events(events)
    return len(fired), notify_many(specs)


def deadlines_sweep(now: datetime | None = None) -> SweepResult:
    """Fire the escalation steps whose thresholds have passed, lowest first, each in one transaction."""
    now = now or timezone.now()
    result = SweepResult()
    with translation.override(settings.LANGUAGE_CODE):
        for level in Level:
            with transaction.atomic():
                fired, notified = _fire(level, now)
            result.fired[STEP_CODES[level]] += fired
            result.notifications += notified
    return result

