"""A nonconformity's deadlines, as the deadline machinery shows them (deadlines.selectors.Deadline):
the root cause analysis and the plan (`analysis_due`, `plan_due`), each action's due date and each
done action's effectiveness check. Each is a date, due at the end of that day in the company's time
zone (`end_of_day`); its allowance runs from when its step began (the record opened or last
reopened, the action planned, the action done) to that moment, and the escalation ladder's per
cents of it make it at risk, breached and escalated, as for a card's clocks."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from amends.accounts.models import User
from amends.deadlines.choices import ClockStatus, Level
from amends.deadlines.defaults import LADDER
from amends.deadlines.models import EscalationStep
from amends.deadlines.selectors import Deadline, end_of_day

from .choices import ActionStatus
from .choices import NonconformityState as S
from .event_texts import ACTION, ANALYSIS, CHECK, PLAN, deadline_label
from .models import Action, EffectivenessCheck, Nonconformity

# The states in which the analysis, and the plan, are still to come.
BEFORE_ANALYSIS = frozenset({S.OPEN})
BEFORE_PLAN = frozenset({S.OPEN, S.ANALYSED})
ACTION_OPEN = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
RUNNING = frozenset({ClockStatus.ON_TRACK, ClockStatus.AT_RISK, ClockStatus.BREACHED})
STATUS_OF_LEVEL = {0: ClockStatus.ON_TRACK, Level.AT_RISK: ClockStatus.AT_RISK}


def ladder_percents() -> dict[int, int]:
    """Each step's per cent of the allowance: the deadlines app's ladder, its defaults for a missing row."""
    percents = {level: percent for level, percent, *_recipients in LADDER}
    percents.update(EscalationStep.objects.values_list("level", "percent"))
    return percents


def level_reached(started_at: datetime, due_at: datetime, now: datetime, percents: dict[int, int]) -> int:
    """The highest step whose moment has come (0: none); "breached" is the due moment itself."""
    allowance = max(due_at - started_at, timedelta(0))
    moments = {
        level: due_at if level == Level.BREACHED else started_at + allowance * percent / 100
        for level, percent in percents.items()
    }
    return max((level for level, moment in moments.items() if moment <= now), default=0)


def checked_since_done() -> Exists:
    """The action's effectiveness was checked after it was last done (a check before a reopening counts not)."""
    return Exists(EffectivenessCheck.objects.filter(action=OuterRef("pk"), checked_at__gte=OuterRef("done_at")))


@dataclass(frozen=True)
class Dated:
    """One dated deadline of a record before it is measured against now."""

    what: str
    day: date
    started_at: datetime
    met: bool
    stopped: bool
    action: Action | None = None


def _dated(record: Nonconformity) -> list[Dated]:
    closed = record.state == S.CLOSED
    found = []
    if record.analysis_due:
        met = record.state not in BEFORE_ANALYSIS
        found.append(Dated(ANALYSIS, record.analysis_due, record.stage_started_at, met, closed and not met))
    if record.plan_due:
        met = record.state not in BEFORE_PLAN
        found.append(Dated(PLAN, record.plan_due, record.stage_started_at, met, closed and not met))
    for action in record.actions.all():
        done = action.status == ActionStatus.DONE
        stopped = action.status == ActionStatus.CANCELLED or (closed and not done)
        found.append(Dated(ACTION, action.due_date, action.scheduled_at, done, stopped, action))
        if done and action.done_at is not None:
            checked = any(check.checked_at >= action.done_at for check in action.checks.all())
            found.append(Dated(CHECK, action.check_on, action.done_at, checked, closed and not checked, action))
    return found


def _deadline(record: Nonconformity, dated: Dated, now: datetime, percents: dict[int, int]) -> Deadline:
    due = end_of_day(dated.day)
    if dated.met:
        status = ClockStatus.MET
    elif dated.stopped:
        status = ClockStatus.STOPPED
    else:
        status = STATUS_OF_LEVEL.get(level_reached(dated.started_at, due, now, percents), ClockStatus.BREACHED)
    return Deadline(
        deadline_label(dated.what, dated.action.description if dated.action else ""), due,
        due - now if status in RUNNING else None, status,
        url=reverse("capa:record", args=[record.number]), subject=f"{record.number} {record.title}", day=dated.day,
    )


def _sorted(deadlines: Iterable[Deadline]) -> list[Deadline]:
    return sorted(deadlines, key=lambda d: d.due_at)


def with_actions_and_checks(records: QuerySet[Nonconformity]) -> QuerySet[Nonconformity]:
    return records.prefetch_related(Prefetch("actions", queryset=Action.objects.prefetch_related("checks")))


def record_deadlines(nonconformity: Nonconformity, now: datetime | None = None) -> list[Deadline]:
    """Every deadline of the record, met and stopped ones too, the nearest due first; prefetch
    `actions` and their `checks` (with_actions_and_checks) to read many records."""
    now = now or timezone.now()
    percents = ladder_percents()
    return _sorted(_deadline(nonconformity, dated, now, percents) for dated in _dated(nonconformity))


def my_capa_deadlines(user: User, now: datetime | None = None) -> list[Deadline]:
    """The running deadlines of the records the user owns (analysis, plan, the checks of their done
    actions) and of the actions they own (due dates); a fixed number of queries."""
    now = now or timezone.now()
    percents = ladder_percents()
    records = with_actions_and_checks(Nonconformity.objects.filter(owner=user).exclude(state=S.CLOSED))
    found = [
        _deadline(record, dated, now, percents)
        for record in records for dated in _dated(record) if dated.what != ACTION
    ]
    actions = Action.objects.filter(owner=user, status__in=ACTION_OPEN).exclude(
        nonconformity__state=S.CLOSED,
    ).select_related("nonconformity")
    found += [
        _deadline(action.nonconformity, Dated(ACTION, action.due_date, action.scheduled_at, False, False, action),
                  now, percents)
        for action in actions
    ]
    return _sorted(d for d in found if d.status in RUNNING)


def overdue_records(queryset: QuerySet[Nonconformity], now: datetime | None = None) -> QuerySet[Nonconformity]:
    """The records with a deadline passed and not met: the register's "overdue" filter."""
    now = now or timezone.now()
    # Due at the end of its day in the company's zone: passed once that day is over there.
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    actions = Action.objects.filter(nonconformity=OuterRef("pk"))
    return queryset.exclude(state=S.CLOSED).filter(
        Q(state__in=BEFORE_ANALYSIS, analysis_due__lt=today)
        | Q(state__in=BEFORE_PLAN, plan_due__lt=today)
        | Exists(actions.filter(status__in=ACTION_OPEN, due_date__lt=today))
        | Exists(actions.filter(status=ActionStatus.DONE, check_on__lt=today).exclude(checked_since_done()))
    )
