"""Reports by mail: each overseer ticks the report kinds they want (report_kinds.REPORT_KINDS), and
the worker sends each one once per slot of its cadence, in the reader's language, with the workbook
and the PDF attached.

A slot starts at 08:00 company time: on Monday (weekly), on the 1st (monthly), on 16 January (yearly,
the day after the statement is due). The report is built as of the slot's start, so a mail caught up
later in the slot (a worker that was down, a refused mail) says what it would have said on time.
Each (subscription, slot) row is claimed before its mail goes out, as the weekly summary does
(reports/services.py): a failed mail releases its claim and the next run retries it; a claim left by
a worker that died is taken over once stale (reports.services.claim_once)."""

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.answers.documents import DocumentError
from amends.core.links import absolute_url
from amends.reports.services import claim_once
from amends.reports.xlsx import CONTENT_TYPE

from .access import access_analytics, can_see_analytics
from .models.schedules import ReportSubscription, ScheduledReportSent
from .report_kinds import REPORT_KINDS, ReportKind

logger = logging.getLogger(__name__)

SEND_FROM = time(8, 0)
CADENCE_LABELS = {"weekly": _("every Monday"), "monthly": _("on the 1st of each month"),
                  "yearly": _("on 16 January")}
PDF = "application/pdf"


def slot_start(cadence: str, now: datetime) -> date:
    """The first day of the slot `now` falls in: the slot begins at SEND_FROM on that day."""
    local = timezone.localtime(now)
    today = local.date()
    if cadence == "weekly":
        this = today - timedelta(days=today.weekday())
        previous = this - timedelta(days=7)
    elif cadence == "monthly":
        this = today.replace(day=1)
        previous = (this - timedelta(days=1)).replace(day=1)
    elif cadence == "yearly":
        this, previous = date(today.year, 1, 16), date(today.year - 1, 1, 16)
    else:
        raise ValueError(f"Unknown cadence {cadence!r}")
    if this > today or (this == today and local.time() < SEND_FROM):
        return previous
    return this


def slot_moment(slot: date) -> datetime:
    return datetime.combine(slot, SEND_FROM, tzinfo=timezone.get_default_timezone())


# --- Choosing ----------------------------------------------------------------------------------

def subscribed_kinds(user: User) -> list[str]:
    return list(ReportSubscription.objects.filter(user=user, kind__in=REPORT_KINDS).values_list("kind", flat=True))


def subscriptions_set(user: User, kinds: Iterable[str]) -> None:
    """The user receives exactly the report kinds given (unknown keys are ignored)."""
    access_analytics(user)
    wanted = {kind for kind in kinds if kind in REPORT_KINDS}
    with transaction.atomic():
        ReportSubscription.objects.filter(user=user).exclude(kind__in=wanted).delete()
        ReportSubscription.objects.bulk_create(
            [ReportSubscription(user=user, kind=kind) for kind in sorted(wanted)], ignore_conflicts=True,
        )


# --- Sending -----------------------------------------------------------------------------------

def subscriptions_url() -> str:
    return absolute_url(reverse("analytics:subscriptions"))


def report_mail(kind: ReportKind, report: object) -> EmailMessage:
    """The mail in the active language, without a recipient; the template's first line is the subject.
    A PDF that cannot be made (a character the fonts lack) leaves the workbook alone, and says so."""
    name = kind.filename(report)
    attachments = [(f"{name}.xlsx", kind.xlsx(report), CONTENT_TYPE)]
    pdf_error = ""
    try:
        attachments.append((f"{name}.pdf", kind.pdf(report), PDF))
    except DocumentError as error:
        pdf_error = str(error)
    text = render_to_string("analytics/mail/report.txt", {
        "title": kind.title, "cadence": CADENCE_LABELS[kind.cadence], "url": kind.url(report),
        "subscriptions_url": subscriptions_url(), "pdf_error": pdf_error,
    })
    subject, _newline, body = text.strip().partition("\n")
    mail = EmailMessage(subject=subject.strip(), body=body.strip() + "\n")
    for attachment in attachments:
        mail.attach(*attachment)
    return mail


def scheduled_reports_send(now: datetime | None = None) -> int:
    """Mail every subscription whose current slot it has not had yet; returns how many mails went out.
    Never raises: failures are logged and retried by the next run."""
    now = now or timezone.now()
    sent = 0
    try:
        due = list(_due(now))
    except Exception:
        logger.exception("The scheduled reports could not be looked up.")
        return 0
    for subscription, slot in due:
        try:
            sent += _send(subscription, slot)
        except Exception:
            logger.exception("The report %s of %s to %s failed; the next run retries.",
                             subscription.kind, slot, subscription.user.email)
    return sent


def _due(now: datetime) -> Iterator[tuple[ReportSubscription, date]]:
    subscriptions = ReportSubscription.objects.filter(
        kind__in=REPORT_KINDS, user__is_active=True,
    ).exclude(user__email="").select_related("user").order_by("pk")
    for subscription in subscriptions:
        if not can_see_analytics(subscription.user):  # lost the role: the choice is kept, nothing is sent
            continue
        slot = slot_start(REPORT_KINDS[subscription.kind].cadence, now)
        if not ScheduledReportSent.objects.filter(subscription=subscription, slot=slot, sent_at__isnull=False).exists():
            yield subscription, slot


def _send(subscription: ReportSubscription, slot: date) -> int:
    claim = claim_once(ScheduledReportSent, subscription=subscription, slot=slot)
    if claim is None:
        return 0
    user = subscription.user
    try:
        kind = REPORT_KINDS[subscription.kind]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            report = kind.scheduled(user, slot_moment(slot))
            if report is None:  # nothing to send yet: asked again by the next run
                ScheduledReportSent.objects.filter(pk=claim, sent_at__isnull=True).delete()
                return 0
            mail = report_mail(kind, report)
        mail.to = [user.email]
        mail.send()
    except Exception:
        ScheduledReportSent.objects.filter(pk=claim, sent_at__isnull=True).delete()
        raise
    ScheduledReportSent.objects.filter(pk=claim).update(sent_at=timezone.now())
    return 1
