"""Filters for notification texts, whose context is stored as JSON (ISO dates)."""

from datetime import date

from django import template

register = template.Library()


@register.filter
def as_date(value: str) -> date | str:
    """An ISO date back into a date, so that `date` shows it in the reader's format."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
