"""Periods the norms and the proposals count in: a calendar year, quarter or month."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from .choices import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # first day of the next period

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the company's time zone, end excluded."""
        zone = timezone.get_default_timezone()
        return datetime.combine(self.start, time.min, tzinfo=zone), datetime.combine(self.end, time.min, tzinfo=zone)

    def previous(self) -> "Period":
        return period_of(self.kind, date.fromordinal(self.start.toordinal() - 1))

    def next(self) -> "Period":
        return period_of(self.kind, self.end)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_of(kind: str, day: date) -> Period:
    """The period of this kind that `day` falls in."""
    if kind == PeriodKind.YEAR:
        return Period(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
    if kind == PeriodKind.QUARTER:
        first = (day.month - 1) // 3 * 3 + 1
        return Period(kind, date(day.year, first, 1), _month_start(day.year, first + 3))
    if kind == PeriodKind.MONTH:
        return Period(kind, date(day.year, day.month, 1), _month_start(day.year, day.month + 1))
    raise ValueError(f"No period of kind {kind!r}.")


def current_period(kind: str, now: datetime | None = None) -> Period:
    return period_of(kind, timezone.localdate(now or timezone.now()))
