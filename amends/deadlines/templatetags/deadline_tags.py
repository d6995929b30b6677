"""Formatting for the deadlines panel and the list's due column (durations in words, statuses);
also filters for notification texts, whose context is stored as JSON (codes and ISO times)."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.functional import Promise

from amends.core.durations import duration_words
from amends.deadlines.choices import ClockKind, ClockStatus

register = template.Library()


@register.filter
def clock_label(code: str) -> str | Promise:
    """A clock's name in the reader's language."""
    return ClockKind(code).label if code in ClockKind.values else code


@register.filter
def as_datetime(value: str) -> datetime | str:
    """An ISO time back into a datetime, so that `date` shows it in the local time zone."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in words in the reader's language, e.g. “1 day, 3 hours”; the sign is ignored."""
    return "" if value is None else duration_words(value)


def due_status(nearest_due: datetime | None, nearest_at_risk: datetime | None, now: datetime) -> str:
    """The list's due column: breached once the nearest due time passed, at risk once any ticking
    clock passed its at-risk time, else on track."""
    if nearest_due is None:
        return ""
    if nearest_due <= now:
        return ClockStatus.BREACHED
    if nearest_at_risk is not None and nearest_at_risk <= now:
        return ClockStatus.AT_RISK
    return ClockStatus.ON_TRACK


@register.filter
def nearest_status(complaint) -> str:
    """The status of a listed card's nearest due time (annotated by the list's query)."""
    return due_status(
        getattr(complaint, "nearest_due", None), getattr(complaint, "nearest_at_risk", None), timezone.now(),
    )


@register.filter
def status_label(status: str) -> str | Promise:
    return ClockStatus(status).label if status in ClockStatus.values else ""
