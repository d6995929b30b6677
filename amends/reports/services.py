"""The weekly summary by e-mail, run by the worker every Monday morning (amends/jobs).

Each (week, user) row is claimed before its mail goes out, so two workers, or a second run,
never send a week twice to a user. A mail that fails releases its claim, and the next run sends
it; a worker killed between the claim and the send leaves a claim that is taken over once it is
older than CLAIM_TIMEOUT.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.core.links import absolute_url

from .models import WeeklySummarySent
from .selectors import WeeklySummary, weekly_summary
from .weeks import previous_week_start
from .xlsx import CONTENT_TYPE, weekly_summary_xlsx

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=30)
# The mail names the longest overdue deadlines; the screen and the workbook list the rest.
MAIL_OVERDUE_LINES = 10


def weekly_summary_recipients() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, groups__name__in=[Role.QMS_HEAD, Role.MANAGER],
    ).exclude(email="").distinct().order_by("pk")


def weekly_summary_url(summary: WeeklySummary) -> str:
    return absolute_url(f"{reverse('reports:weekly')}?week={summary.label}")


def weekly_summary_mail(summary: WeeklySummary, language: str) -> EmailMessage:
    """The mail in one language, without a recipient; the template's first line is the subject."""
    with translation.override(language):
        text = render_to_string("reports/mail/weekly.txt", {
            "summary": summary, "overdue": summary.overdue[:MAIL_OVERDUE_LINES],
            "url": weekly_summary_url(summary),
        })
        workbook = weekly_summary_xlsx(summary)
    subject, _newline, body = text.strip().partition("\n")
    mail = EmailMessage(subject=subject.strip(), body=body.strip() + "\n")
    mail.attach(f"amends-weekly-{summary.label}.xlsx", workbook, CONTENT_TYPE)
    return mail


def weekly_summary_send(now: datetime | None = None) -> int:
    """Mail last week's summary to every active head of the QMS and manager with an e-mail, each in
    their language, once per week; returns how many mails went out. Never raises: failures are
    logged and retried by the next run."""
    now = now or timezone.now()
    try:
        week = previous_week_start(now)
        # Reruns are cheap: the summary is computed only when someone has not had it yet.
        recipients = list(weekly_summary_recipients().exclude(Exists(
            WeeklySummarySent.objects.filter(week=week, user=OuterRef("pk"), sent_at__isnull=False),
        )))
        if not recipients:
            return 0
        summary = weekly_summary(week, now)
    except Exception:
        logger.exception("The weekly summary could not be prepared.")
        return 0
    mails: dict[str, EmailMessage] = {}
    sent = 0
    for user in recipients:
        try:
            sent += _send(summary, user, mails)
        except Exception:
            logger.exception("The weekly summary %s to %s failed; the next run retries.", summary.label, user.email)
    return sent


def _send(summary: WeeklySummary, user: User, mails: dict[str, EmailMessage]) -> int:
    claim = claim_once(WeeklySummarySent, week=summary.week_start, user=user)
    if claim is None:
        return 0
    try:
        language = user.language or settings.LANGUAGE_CODE
        if language not in mails:
            mails[language] = weekly_summary_mail(summary, language)
        mail = mails[language]
        mail.to = [user.email]
        mail.send()
    except Exception:
        WeeklySummarySent.objects.filter(pk=claim, sent_at__isnull=True).delete()
        raise
    WeeklySummarySent.objects.filter(pk=claim).update(sent_at=timezone.now())
    return 1


def claim_once(model: type[Model], **key) -> int | None:
    """A mail's claim: the id of a new row of `model` (with `claimed_at`, `sent_at` and a unique
    constraint on `key`), or None when another run has sent this mail or is sending it."""
    rows = model._default_manager
    now = timezone.now()
    try:
        with transaction.atomic():
            return rows.create(**key, claimed_at=now).pk
    except IntegrityError:
        pass
    stale = rows.filter(**key, sent_at__isnull=True, claimed_at__lt=now - CLAIM_TIMEOUT)
    # One conditional UPDATE: of two workers taking over the same stale claim, one wins.
    if stale.update(claimed_at=now):
        return rows.get(**key).pk
    return None
