"""The e-mail delivery job, run every minute by the worker: immediate mails and digests.

Crash safety: rows are claimed with one conditional UPDATE (pending and not claimed within
CLAIM_TIMEOUT), so two workers never claim the same row; each mail is marked sent the moment
the SMTP server accepts it. A worker killed after claiming leaves its rows claimed, and they are
claimed again once CLAIM_TIMEOUT has passed. Delivery is therefore at least once: only a worker
killed between the server's acceptance and the mark (one UPDATE) causes a repeat, and the repeat
carries the same Message-ID so mail clients can fold it. Run the job outside a transaction, or
the marks wait for its end and that window widens.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import EmailMode, EmailStatus, Notification
from .rendering import language_of, mail_subject, render_notification

logger = logging.getLogger(__name__)

# Longer than a run can take: a worker stops sending once half of it has gone (see _deliver).
CLAIM_TIMEOUT = timedelta(minutes=10)
# Counting claims, so a row that kills the worker every time is given up too.
MAX_ATTEMPTS = 5
BATCH_SIZE = 1000

MODE = "user__notification_preference__email"


@dataclass
class DeliveryResult:
    mails: int = 0  # mails accepted by the server (one per immediate notification, one per digest)
    notifications: int = 0  # notifications those mails carried
    failed: int = 0  # mails that failed this time (retried later up to MAX_ATTEMPTS)
    skipped: int = 0  # notifications whose user gets no e-mail: in the app only


def digest_boundary(mode: str, daily_hour: int, now: datetime) -> datetime:
    """The latest time a digest was due: the hour's start, or the day's chosen hour (company time
    zone). A digest carries what arrived before it."""
    local = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    if mode == EmailMode.HOURLY:
        return local
    boundary = local.replace(hour=daily_hour)
    return boundary if boundary <= local else boundary - timedelta(days=1)


def notifications_deliver(now: datetime | None = None) -> DeliveryResult:
    now = now or timezone.now()
    result = DeliveryResult()
    mode_of = _select_due(now, result)
    token = uuid.uuid4()
    # The same condition as the read: a row another worker claimed since then is not taken.
    claimed = Notification.objects.filter(
        _claimable(now), pk__in=list(mode_of), email_status=EmailStatus.PENDING,
    ).update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    if claimed:
        _deliver(token, mode_of, result)
    return result


def _claimable(now: datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)


def _select_due(now: datetime, result: DeliveryResult) -> dict[int, str]:
    """Pending rows whose mail is due, with their user's mode; rows of users who get no mail
    are marked skipped on the way."""
    due = Q(**{f"{MODE}__isnull": True}) | Q(**{MODE: EmailMode.IMMEDIATE})
    due |= Q(**{MODE: EmailMode.HOURLY}, created_at__lt=digest_boundary(EmailMode.HOURLY, 0, now))
    for hour in range(24):
        due |= Q(**{MODE: EmailMode.DAILY, "user__notification_preference__daily_hour": hour},
                 created_at__lt=digest_boundary(EmailMode.DAILY, hour, now))
    no_mail = Q(**{MODE: EmailMode.OFF}) | Q(user__email="") | Q(user__is_active=False)
    rows = (
        Notification.objects.filter(due | no_mail, _claimable(now), email_status=EmailStatus.PENDING)
        .order_by("created_at").values_list("pk", "user__email", "user__is_active", MODE)[:BATCH_SIZE]
    )
    mode_of, skip = {}, []
    for pk, email, active, mode in rows:
        if not email or not active or mode == EmailMode.OFF:
            skip.append(pk)
        else:
            mode_of[pk] = mode or EmailMode.IMMEDIATE
    if skip:
        result.skipped = Notification.objects.filter(pk__in=skip, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.SKIPPED,
        )
    return mode_of


def _deliver(token: uuid.UUID, mode_of: dict[int, str], result: DeliveryResult) -> None:
    started = time.monotonic()
    claimed = list(
        Notification.objects.filter(claim_token=token).select_related("user", "complaint")
        .order_by("user_id", "created_at", "pk")
    )
    mails: list[list[Notification]] = []
    for _user, same_user in groupby(claimed, key=lambda n: n.user_id):
        rows = list(same_user)
        immediate = [n for n in rows if mode_of[n.pk] == EmailMode.IMMEDIATE]
        mails += [[n] for n in immediate]
        if digest := [n for n in rows if mode_of[n.pk] != EmailMode.IMMEDIATE]:
            mails.append(digest)
    connection = get_connection(fail_silently=False)
    try:
        for group in mails:
            # Past half the claim, another worker may soon claim these rows: leave them to it.
            if time.monotonic() - started > CLAIM_TIMEOUT.total_seconds() / 2:
                break
            _send(group, token, connection, result)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the mails are sent and marked; a failed QUIT changes nothing
            logger.warning("Closing the SMTP connection failed", exc_info=True)


def _send(group: list[Notification], token: uuid.UUID, connection, result: DeliveryResult) -> None:
    ids = [n.pk for n in group]
    mine = Notification.objects.filter(pk__in=ids, claim_token=token)
    try:
        message = _message(group)
        message.connection = connection
        message.send()
    except Exception as error:  # noqa: BLE001 - one bad mail or SMTP trouble must not stop the others
        logger.warning("Notification mail %s failed: %s", ids, error)
        result.failed += 1
        # The claim's time stays, so the rows are tried again after CLAIM_TIMEOUT.
        mine.update(claim_token=None, last_error=f"{type(error).__name__}: {error}"[:2000], email_status=Case(
            When(attempts__gte=MAX_ATTEMPTS, then=Value(EmailStatus.FAILED)), default=Value(EmailStatus.PENDING),
        ))
        return
    mine.update(email_status=EmailStatus.SENT, emailed_at=timezone.now(), claim_token=None, last_error="")
    result.mails += 1
    result.notifications += len(group)


def _message(group: list[Notification]) -> EmailMessage:
    """One notification is a mail of its own; several (a digest) are listed in one."""
    user, first = group[0].user, group[0]
    if len(group) == 1:
        rendered = render_notification(first)
        subject, body, reference = mail_subject(first, rendered), rendered.body, f"{first.pk}"
    else:
        items = []
        for notification in group:
            rendered = render_notification(notification)
            items.append((mail_subject(notification, rendered), rendered.body))
        with translation.override(language_of(user)):
            text = render_to_string("notifications/mail/digest.txt", {"user": user, "items": items})
        subject, _, body = text.strip().partition("\n")
        reference = f"digest-{first.pk}-{group[-1].pk}"
    return EmailMessage(subject.strip(), body.strip(), None, [user.email], headers={
        # The same Message-ID on a repeat lets mail clients fold it; no auto-replies to us.
        "Message-ID": f"<notification-{reference}@{settings.AMENDS_MAIL_DOMAIN}>",
        "Auto-Submitted": "auto-generated",
    })
