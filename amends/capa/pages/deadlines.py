"""The record page's "deadlines" section: each of the record's deadlines with its status."""

from ..deadlines import record_deadlines, with_actions_and_checks
from ..models import Nonconformity
from ..record_page import register_section


def deadlines_section(request, record: Nonconformity, bound) -> dict:
    """A fixed number of queries whatever the number of actions."""
    record = with_actions_and_checks(Nonconformity.objects.filter(pk=record.pk)).get()
    return {"deadlines": record_deadlines(record)}


def register() -> None:
    register_section("deadlines", "capa/deadlines.html", order=15, context=deadlines_section)
