"""The deadline sweep: fire each escalation step of each clock once, whatever the number of cards.

A clock fires the highest step it has passed: one found already past several (the first sweep after
a stop, a card registered late) fires only the last of them, with one timeline entry naming the
steps it passed unannounced, and its notice goes to everyone those steps would have told. Each step
fires in transactions of at most FIRE_BATCH clocks: claim the clocks that crossed its threshold with
one conditional UPDATE per level they come from (level n → step), so two sweeps running at once
cannot both fire a step; then write one DEADLINE event per clock and one notification per person
listing their clocks. A crash rolls the claim back with the rest, and the next sweep fires what did
not fire. The number of queries does not depend on the number of clocks, up to FIRE_BATCH.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.events import event_deadline_row
from amends.complaints.models import Complaint, TimelineEvent
from amends.core.bulk import insert_rows, keys_in
from amends.notifications.services import NotificationSpec, notify_many

from .choices import Level
from .event_texts import STEP_CODES
from .models import Clock, EscalationStep
from .services import THRESHOLD_FIELDS

# Clocks fired in one transaction at most: the first sweep after a long stop, or over a large import,
# fires its backlog in parts, none holding SQLite's write lock for more than a moment (one transaction
# over 300,000 clocks held it 47 s, and web requests waiting for it failed).
FIRE_BATCH = 1000

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


def _claim(level: Level, since: int, now: datetime, clock_ids: list[int]) -> set[int]:
    """Raise those of these clocks still ticking at level `since` past this step's threshold to it;
    the ids this call raised."""
    table = connection.ops.quote_name(Clock._meta.db_table)
    threshold = connection.ops.quote_name(THRESHOLD_FIELDS[level])
    among, among_params = keys_in("id", clock_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET level = %s WHERE {among} AND level = %s AND {threshold} <= %s"
            " AND met_at IS NULL AND stopped_at IS NULL AND paused_at IS NULL RETURNING id",
            [level, *among_params, since, connection.ops.adapt_datetimefield_value(now)],
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


def _insert_events(events: list[tuple[int, str, dict]]) -> None:
    """DEADLINE events given as (card, code, params), in one statement for any number of them.
    No lifecycle signal: an escalation step is the clock's own news and meets no clock."""
    insert_rows(TimelineEvent, [event_deadline_row(card, code, params) for card, code, params in events])


def _fire(level: Level, now: datetime) -> tuple[int, int]:
    """Fire this step for every clock past its threshold, FIRE_BATCH clocks a transaction; the
    clocks fired and the notifications made."""
    field_name = THRESHOLD_FIELDS[level]
    # The levels below named one by one: each is a range of the partial index on (level, threshold),
    # where "level < n" read every ticking clock of those levels. Unordered: ordered by the due time,
    # SQLite walked the due time's index over every ticking clock instead; each part sorted here.
    due = Clock.objects.filter(
        level__in=range(level), met_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True,
        **{f"{field_name}__lte": now},
    ).order_by()
    fired = notified = 0
    while True:
        # Read before the transaction: a clock another sweep fires meanwhile is not claimed again.
        clocks = sorted(due.values_list("pk", "complaint_id", "kind", "due_at", "level")[:FIRE_BATCH],
                        key=lambda row: (row[3], row[0]))
        if not clocks:
            break
        with transaction.atomic():
            part_fired, part_notified = _fire_part(level, now, clocks)
        fired, notified = fired + part_fired, notified + part_notified
        if len(clocks) < FIRE_BATCH or not part_fired:
            break  # a part another sweep took entirely: what it left is that sweep's or the next one's
    return fired, notified


def _fire_part(level: Level, now: datetime, clocks: list[tuple]) -> tuple[int, int]:
    # The clocks first, then their cards: joined in one query, a planner that cannot tell how few
    # ticking clocks are due reads every card to hash them.
    cards = {
        pk: (number, responsible_id) for pk, number, responsible_id in
        Complaint.objects.filter(pk__in={row[1] for row in clocks}).values_list("pk", "number", "responsible_id")
    }
    candidates = [
        (pk, card, cards[card][0], kind, due_at, cards[card][1], since) for pk, card, kind, due_at, since in clocks
    ]
    # The level each clock was claimed from: the steps between it and this one were passed unannounced.
    clock_ids = [row[0] for row in candidates]
    came_from = {
        pk: since for since in sorted({row[-1] for row in candidates}) for pk in _claim(level, since, now, clock_ids)
    }
    fired = [row for row in candidates if row[0] in came_from]
    if not fired:
        return 0, 0
    responsible_ids: set[int | None] = {row[5] for row in fired}
    ladder = {
        step: Recipients.of_step(step, responsible_ids)
        for step in Level if min(came_from.values()) < step <= level
    }
    code = STEP_CODES[level]
    events: list[tuple[int, str, dict]] = []
    cards_of: dict[int, list[dict]] = defaultdict(list)
    clocks_of: dict[int, list[int]] = defaultdict(list)
    for pk, complaint_id, number, kind, due_at, responsible_id, _level in fired:
        passed = [step for step in Level if came_from[pk] < step < level]
        notified = list({
            user.pk: user for step in [*passed, level] for user in ladder[step].for_card(responsible_id)
        }.values())
        events.append((complaint_id, code, {
            "step": int(level), "clock": kind, "due": due_at.isoformat(),
            "people": [str(user) for user in notified], "passed": [int(step) for step in passed],
        }))
        for user in notified:
            cards_of[user.pk].append({
                "number": number, "clock": kind, "due_at": due_at.isoformat(), "passed": passed,
            })
            clocks_of[user.pk].append(pk)
    _insert_events(events)
    card_ids = {row[2]: row[1] for row in fired}
    return len(fired), notify_many([
        _grouped(user_id, level, cards, clocks_of[user_id], card_ids) for user_id, cards in cards_of.items()
    ])


def _grouped(
    user_id: int, level: Level, cards: list[dict], clocks: list[int], card_ids: dict[str, int],
) -> NotificationSpec:
    """One notice per person and step per sweep, listing their clocks: a manager reads one
    "12 deadlines missed" with the cards, not twelve mails. About one card, it is that card's."""
    numbers = sorted({card["number"] for card in cards})
    # The clocks fire this step once (the claim), so their ids make the key of this one notice.
    digest = hashlib.sha256(",".join(map(str, sorted(clocks))).encode()).hexdigest()[:16]
    return NotificationSpec(
        user_id=user_id, kind=f"deadline_{STEP_CODES[level]}", key=f"clocks:{digest}:level:{level}",
        complaint_id=card_ids[numbers[0]] if len(numbers) == 1 else None,
        template=f"deadlines/notifications/{STEP_CODES[level]}.txt",
        context={"step": level, "cards": cards}, cards=numbers,
    )


def deadlines_sweep(now: datetime | None = None) -> SweepResult:
    """Fire the escalation steps whose thresholds have passed, highest first, each in transactions of
    at most FIRE_BATCH clocks: a clock past several fires only the highest."""
    now = now or timezone.now()
    result = SweepResult()
    with translation.override(settings.LANGUAGE_CODE):
        for level in sorted(Level, reverse=True):
            fired, notified = _fire(level, now)
            result.fired[STEP_CODES[level]] += fired
            result.notifications += notified
    return result

