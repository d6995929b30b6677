"""The periodic jobs as tasks on the queue. Each one is idempotent: it works from the state in
the database, so a run cut short is completed by the next one and a repeated run does nothing new."""

import dataclasses
from datetime import time

from django.utils import timezone
from django_tasks import task


def _summary(result) -> object:
    """A JSON-friendly record of what a run did, kept on the task's row."""
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    if isinstance(result, list | tuple):
        return [_summary(item) for item in result]
    return result if isinstance(result, int | str | dict | None) else str(result)


@task()
def deadlines_sweep():
    from amends.deadlines.sweep import deadlines_sweep as sweep

    return _summary(sweep())


@task()
def notifications_deliver():
    from amends.notifications.delivery import notifications_deliver as deliver

    return _summary(deliver())


@task()
def mail_poll():
    from amends.intake.channels.email.imap import mailboxes_poll
    from amends.intake.channels.email.services import email_retry_pending

    return {"polled": _summary(mailboxes_poll()), "retried": email_retry_pending()}


@task()
def outbound_retry():
    from amends.intake.outbound import outbound_retry_failed

    return outbound_retry_failed()


@task()
def idempotency_purge():
    from amends.api.services import idempotency_purge as purge

    return purge()


WEEKLY_SUMMARY_FROM = (0, time(8, 0))  # Monday 08:00, company time (seed 002 §40: Monday morning)


def weekly_summary_due(now) -> bool:
    local = timezone.localtime(now)
    return (local.weekday(), local.time()) >= WEEKLY_SUMMARY_FROM


@task()
def weekly_summary_send():
    from amends.reports.services import weekly_summary_send as send

    now = timezone.now()
    return send(now) if weekly_summary_due(now) else 0
