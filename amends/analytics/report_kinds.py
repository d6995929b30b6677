"""The reports a person can open, download and have e-mailed: each kind registers how it is built and
how it is written as a workbook and a PDF, so the schedule (scheduled reports by mail) and the API
serve every kind the same way."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise

from amends.accounts.models import User


@dataclass(frozen=True)
class ReportKind:
    key: str  # "dashboard:overview", "monthly", "yearly"...
    title: str | Promise
    cadence: str  # "weekly", "monthly" or "yearly": how often a subscriber receives it
    # The report as of `now` for the schedule: the last whole period it covers (last month, last
    # year, the dashboard's default period); None when there is nothing to send yet.
    scheduled: Callable[[User, datetime], Any | None]
    xlsx: Callable[[Any], bytes]
    pdf: Callable[[Any], bytes]
    filename: Callable[[Any], str]  # without the extension: "amends-monthly-2026-11"
    url: Callable[[Any], str]  # the report's page, for the mail's link


REPORT_KINDS: dict[str, ReportKind] = {}


def register_report_kind(kind: ReportKind) -> None:
    REPORT_KINDS[kind.key] = kind
