"""Filters for notification texts, whose context is stored as JSON (codes and ISO times)."""

from datetime import datetime

from django import template

from amends.deadlines.choices import ClockKind

register = template.Library()


@register.filter
def clock_label(code: str) -> str:
    """A clock's name in the reader's language."""
    return ClockKind(code).label if code in ClockKind.values else code


@register.filter
def as_datetime(value: str) -> datetime | str:
    """An ISO time back into a datetime, so that `date` shows it in the local time zone."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
