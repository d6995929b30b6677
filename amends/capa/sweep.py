"""The nonconformities' deadline sweep: the escalation ladder of the deadlines app applied to each
record's dated deadlines (capa/deadlines.py), each step fired once per deadline.

As the cards' sweep (deadlines/sweep.py): a deadline found past several steps fires only the highest,
naming the steps it passed unannounced, and tells everyone those steps would have told. Its level
column (`analysis_level`, `plan_level`, an action's `due_level`, `check_level`) is raised by one
conditional UPDATE per column and level it comes from, so two sweeps at once cannot both fire a
step; then one DEADLINE entry per deadline on its record's timeline and one notice per person and
step listing their deadlines, in one transaction: a crash rolls the claim back with the rest. The
number of queries does not depend on the number of records.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.deadlines.choices import Level
from amends.deadlines.event_texts import STEP_CODES
from amends.deadlines.models import EscalationStep
from amends.deadlines.selectors import end_of_day
from amends.deadlines.sweep import DEFAULT_RECIPIENTS
from amends.notifications.services import NotificationSpec, notify_many

from .choices import ActionStatus, RecordEventKind
from .choices import NonconformityState as S
from .deadlines import ACTION_OPEN, BEFORE_ANALYSIS, BEFORE_PLAN, checked_since_done, ladder_percents, level_reached
from .event_texts import ACTION, ANALYSIS, CHECK, PLAN
from .events import record_events_many
from .models import Action, Nonconformity

TOP = max(Level)


@dataclass(frozen=True)
class Due:
    """One running deadline as the sweep reads it."""

    what: str
    pk: int  # of the row whose level column it is: the record's, or the action's
    level: int
    record_id: int
    number: str
    title: str
    owner_id: int | None  # who is told at risk: the record's owner, or the action's
    day: date
    started_at: datetime
    action: str = ""

    @property
    def key(self) -> str:
        return f"{self.what}:{self.pk}"


COLUMNS: dict[str, tuple[type[Model], str]] = {
    ANALYSIS: (Nonconformity, "analysis_level"), PLAN: (Nonconformity, "plan_level"),
    ACTION: (Action, "due_level"), CHECK: (Action, "check_level"),
}
# The analysis and plan run from the last reopening, else the opening (Nonconformity.stage_started_at).
RECORD = ("pk", "number", "title", "owner_id", Coalesce("reopened_at", "opened_at"))
OF_ACTION = ("pk", "nonconformity_id", "nonconformity__number", "nonconformity__title")


def _running() -> list[Due]:
    """Every deadline not met, not past the top step, of the records not closed: four queries."""
    records = Nonconformity.objects.exclude(state=S.CLOSED)
    actions = Action.objects.exclude(nonconformity__state=S.CLOSED)
    found = [
        Due(ANALYSIS, pk, level, pk, number, title, owner, day, opened)
        for pk, number, title, owner, opened, day, level in records.filter(
            state__in=BEFORE_ANALYSIS, analysis_due__isnull=False, analysis_level__lt=TOP,
        ).values_list(*RECORD, "analysis_due", "analysis_level")
    ]
    found += [
        Due(PLAN, pk, level, pk, number, title, owner, day, opened)
        for pk, number, title, owner, opened, day, level in records.filter(
            state__in=BEFORE_PLAN, plan_due__isnull=False, plan_level__lt=TOP,
        ).values_list(*RECORD, "plan_due", "plan_level")
    ]
    found += [
        Due(ACTION, pk, level, record, number, title, owner, day, created, description)
        for pk, record, number, title, owner, created, day, level, description in actions.filter(
            status__in=ACTION_OPEN, due_level__lt=TOP,
        ).values_list(
            *OF_ACTION, "owner_id", Coalesce("rescheduled_at", "created_at"), "due_date", "due_level", "description",
        )
    ]
    # The check is the record's managers' to make: its owner is told.
    found += [
        Due(CHECK, pk, level, record, number, title, owner, day, done, description)
        for pk, record, number, title, owner, done, day, level, description in actions.filter(
            status=ActionStatus.DONE, done_at__isnull=False, check_level__lt=TOP,
        ).exclude(checked_since_done()).values_list(
            *OF_ACTION, "nonconformity__owner_id", "done_at", "check_on", "check_level", "description",
        )
    ]
    return found


def _claim(what: str, since: int, target: int, pks: list[int]) -> set[int]:
    """Raise these rows' level column from `since` to `target`; the ids this call raised."""
    model, column = COLUMNS[what]
    table, quoted = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {quoted} = %s WHERE {quoted} = %s AND id IN ({marks}) RETURNING id",
            [target, since, *pks],
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class Ladder:
    """Whom each step tells: the deadline's owner (the QMS heads when it has none active), the QMS
    heads, the managers; as the escalation ladder's rows say, or the deadlines app's defaults."""

    flags: dict[int, tuple[bool, bool, bool]]
    owners: dict[int, User]
    heads: list[User]
    bosses: list[User]

    @classmethod
    def load(cls, owner_ids: set[int | None]) -> "Ladder":
        flags: dict[int, tuple[bool, bool, bool]] = {int(level): told for level, told in DEFAULT_RECIPIENTS.items()}
        flags.update({
            step.level: (step.notify_responsible, step.notify_qms_heads, step.notify_managers)
            for step in EscalationStep.objects.all()
        })
        active = User.objects.filter(is_active=True).only("pk", "username", "first_name", "last_name", "language")
        owners = {user.pk: user for user in active.filter(pk__in={pk for pk in owner_ids if pk is not None})}
        return cls(
            flags, owners,
            list(active.filter(groups__name=Role.QMS_HEAD).distinct()),
            list(active.filter(groups__name=Role.MANAGER).distinct()),
        )

    def told(self, step: int, owner_id: int | None) -> list[User]:
        to_owner, to_heads, to_bosses = self.flags[step]
        found = []
        if to_owner:
            found += [self.owners[owner_id]] if owner_id in self.owners else self.heads
        found += (self.heads if to_heads else []) + (self.bosses if to_bosses else [])
        return found


@dataclass
class SweepResult:
    fired: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEP_CODES.values(), 0))
    notifications: int = 0


def _fire(now: datetime) -> SweepResult:
    percents = ladder_percents()
    wanted: dict[tuple[str, int, int], list[Due]] = defaultdict(list)
    for due in _running():
        target = level_reached(due.started_at, end_of_day(due.day), now, percents)
        if target > due.level:
            wanted[(due.what, due.level, target)].append(due)
    fired: list[tuple[Due, int]] = []
    for (what, since, target), dues in wanted.items():
        claimed = _claim(what, since, target, [due.pk for due in dues])
        fired += [(due, target) for due in dues if due.pk in claimed]
    result = SweepResult()
    if not fired:
        return result
    ladder = Ladder.load({due.owner_id for due, _target in fired})
    events: list[tuple[int, str, str, dict]] = []
    listed: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for due, target in fired:
        passed = [step for step in Level if due.level < step < target]
        told = list({user.pk: user for step in [*passed, target] for user in ladder.told(step, due.owner_id)}.values())
        code = STEP_CODES[Level(target)]
        events.append((due.record_id, RecordEventKind.DEADLINE, code, {
            "step": target, "deadline": due.what, "action": due.action, "due": due.day.isoformat(),
            "people": [str(user) for user in told], "passed": passed,
        }))
        for user in told:
            listed[(user.pk, target)].append({
                "key": due.key, "number": due.number, "title": due.title, "deadline": due.what,
                "action": due.action[:80], "due": due.day.isoformat(), "passed": bool(passed),
            })
        result.fired[code] += 1
    record_events_many(events)
    result.notifications = notify_many([_notice(user_id, step, items) for (user_id, step), items in listed.items()])
    return result


def _notice(user_id: int, step: int, items: list[dict]) -> NotificationSpec:
    """One notice per person and step per sweep, listing their deadlines; each deadline fires a
    step once (the claim), so their keys make the notice's."""
    digest = hashlib.sha256(",".join(sorted(item["key"] for item in items)).encode()).hexdigest()[:16]
    code = STEP_CODES[Level(step)]
    return NotificationSpec(
        user_id=user_id, kind=f"deadline_{code}", key=f"capa:{digest}:level:{step}", complaint_id=None,
        template=f"capa/notifications/deadline_{code}.txt", context={"step": step, "deadlines": items},
    )


def capa_deadlines_sweep(now: datetime | None = None) -> SweepResult:
    """Fire the steps the records' deadlines have reached since the last sweep, in one transaction."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _fire(now)
