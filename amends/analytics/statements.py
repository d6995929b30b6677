"""The yearly statement's life: drafted from 1 January, concluded and approved by the head of the QMS
by 15 January (DOMAIN.md §5), a reminder to the QMS heads from the 5th and an escalation to the
managers after the 15th, each sent once. Once approved the statement is frozen: its conclusions and
its figures, kept at approval."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.models import Complaint
from amends.core.links import absolute_url
from amends.notifications.card import qms_heads
from amends.notifications.services import NotificationSpec, notify_many

from .access import access_conclusions
from .models import YearlyStatement
from .yearly import figures_snapshot

REMIND_FROM_DAY = 5  # of January: the QMS heads are reminded of a statement not approved yet
DUE_DAY = 15  # of January: the statement is due; after it the managers are told


def statement_url(year: int) -> str:
    return f"{reverse('analytics:yearly')}?year={year}"


def statement_draft(year: int, now: datetime | None = None) -> YearlyStatement:
    statement, _created = YearlyStatement.objects.get_or_create(
        year=year, defaults={"drafted_at": now or timezone.now()},
    )
    return statement


def _locked(year: int) -> YearlyStatement:
    return YearlyStatement.objects.select_for_update().get(pk=statement_draft(year).pk)


def _check_open(statement: YearlyStatement) -> None:
    if statement.approved:
        raise ValidationError(_("The statement for %(year)s is approved: it can no longer be changed.")
                              % {"year": statement.year})


@transaction.atomic
def statement_conclusions_set(*, actor: User, year: int, conclusions: str) -> YearlyStatement:
    access_conclusions(actor)
    statement = _locked(year)
    _check_open(statement)
    statement.conclusions = conclusions.strip()
    statement.save(update_fields=["conclusions"])
    return statement


@transaction.atomic
def statement_approve(*, actor: User, year: int, now: datetime | None = None) -> YearlyStatement:
    access_conclusions(actor)
    now = now or timezone.now()
    if year >= timezone.localdate(now).year:
        raise ValidationError(_("The statement for %(year)s is approved once the year is over.") % {"year": year})
    statement = _locked(year)
    _check_open(statement)
    if not statement.conclusions:
        raise ValidationError(_("Write the conclusions before approving the statement."))
    statement.approved_by, statement.approved_at = actor, now
    statement.figures = figures_snapshot(actor, year)  # frozen: a card classified later changes no approved figure
    statement.save(update_fields=["approved_by", "approved_at", "figures"])
    return statement


@dataclass(frozen=True)
class SweepResult:
    year: int | None  # the statement looked after, None before the first card was ever received
    drafted: bool = False
    reminded: int = 0  # notifications sent
    escalated: int = 0


def yearly_statement_sweep(now: datetime) -> SweepResult:
    """The previous year's statement: drafted, then the reminder and the escalation each sent once
    (the statement's column is claimed by a conditional update, so two workers send one of each).
    Nothing for a year before the first card: a fresh installation owes no statement."""
    today = timezone.localdate(now)
    year = today.year - 1
    start_of_next = datetime(today.year, 1, 1, tzinfo=timezone.get_default_timezone())
    if not Complaint.objects.filter(received_at__lt=start_of_next).exists():
        return SweepResult(year=None)
    drafted = not YearlyStatement.objects.filter(year=year).exists()
    statement = statement_draft(year, now)
    reminded = escalated = 0
    if today >= date(today.year, 1, REMIND_FROM_DAY):
        reminded = _notify_once(statement, "reminded_at", now, qms_heads(), "yearly_statement_due")
    if today > date(today.year, 1, DUE_DAY):
        managers = list(User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct())
        escalated = _notify_once(statement, "escalated_at", now, managers, "yearly_statement_overdue")
    return SweepResult(year=year, drafted=drafted, reminded=reminded, escalated=escalated)


@transaction.atomic
def _notify_once(statement: YearlyStatement, column: str, now: datetime, users: list[User], kind: str) -> int:
    claimed = YearlyStatement.objects.filter(
        pk=statement.pk, approved_at__isnull=True, **{f"{column}__isnull": True},
    ).update(**{column: now})
    if not claimed:  # approved already, or sent before
        return 0
    year = statement.year
    context = {"year": year, "due": date(year + 1, 1, DUE_DAY).isoformat(), "url": absolute_url(statement_url(year))}
    return notify_many([
        NotificationSpec(user_id=user.pk, kind=kind, key=f"{kind}:{year}", complaint_id=None,
                         template=f"analytics/notifications/{kind}.txt", context=context)
        for user in users
    ])
