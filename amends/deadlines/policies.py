"""The policy table, calendars and ladder, read once per process and picked per card in memory.

Saving any of them clears this process's copy at once; other processes (workers, other web
servers) reload theirs within RELOAD_SECONDS.
"""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from amends.complaints.models import Complaint

from .calendar import CalendarRules
from .choices import Level
from .models import BusinessCalendar, DeadlinePolicy, EscalationStep

RELOAD_SECONDS = 60
# Keyed by int: levels arrive as the model fields' plain ints.
DEFAULT_PERCENTS: dict[int, int] = {Level.AT_RISK: 75, Level.BREACHED: 100, Level.ESCALATED: 200}


@dataclass(frozen=True)
class CardFacts:
    """What a policy's criteria look at on a card."""

    channel: str
    importance: str
    key_account: bool
    needs_investigation: bool

    @classmethod
    def of(cls, complaint: Complaint) -> "CardFacts":
        organisation = complaint.organisation
        key_account = organisation is not None and organisation.is_key_account
        return cls(complaint.channel, complaint.importance, key_account, complaint.needs_investigation)


@dataclass(frozen=True)
class PolicyTable:
    policies: tuple[DeadlinePolicy, ...]
    calendars: dict[int, CalendarRules]
    ladder: dict[int, EscalationStep]
    loaded_at: float

    def resolve(self, clock: str, preset: str, facts: CardFacts) -> DeadlinePolicy | None:
        """The most specific active policy of this clock that applies to the card, or None."""
        matching = [
            p for p in self.policies
            if p.clock == clock and p.preset == preset
            and p.channel in ("", facts.channel) and p.importance in ("", facts.importance)
            and (facts.key_account or not p.key_accounts_only)
            and (facts.needs_investigation or not p.investigation_only)
        ]
        return max(matching, key=lambda p: p.specificity, default=None)

    def clocks_of(self, preset: str) -> list[str]:
        """The clock kinds a preset's rows define."""
        return sorted({p.clock for p in self.policies if p.preset == preset})

    def percent(self, level: int) -> int:
        step = self.ladder.get(level)
        return step.percent if step else DEFAULT_PERCENTS[level]

    def offset(self, allowance: timedelta, level: int) -> timedelta:
        return allowance * self.percent(level) // 100


_lock = threading.Lock()
_table: PolicyTable | None = None


def policy_table() -> PolicyTable:
    global _table
    table = _table
    if table is not None and time.monotonic() - table.loaded_at < RELOAD_SECONDS:
        return table
    calendars = BusinessCalendar.objects.prefetch_related("hours", "exceptions")
    table = PolicyTable(
        policies=tuple(DeadlinePolicy.objects.filter(is_active=True)),
        calendars={calendar.pk: calendar.rules() for calendar in calendars},
        ladder={step.level: step for step in EscalationStep.objects.all()},
        loaded_at=time.monotonic(),
    )
    with _lock:
        _table = table
    return table


def forget_policy_table(**_signal_kwargs) -> None:
    global _table
    with _lock:
        _table = None
