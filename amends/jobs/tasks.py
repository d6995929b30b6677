"""The periodic jobs as tasks on the queue. Each one is idempotent: it works from the state in
the database, so a run cut short is completed by the next one and a repeated run does nothing new.

Tasks are named `*_task`, apart from the services they run."""

import dataclasses
from datetime import time

from django.utils import timezone
from django_tasks import task

from amends.analytics.export_jobs import register_exports_purge
from amends.analytics.schedules import scheduled_reports_send
from amends.analytics.statements import yearly_statement_sweep
from amends.api.services import idempotency_purge
from amends.capa.norms import norm_check
from amends.capa.proposal_checks import proposals_check
from amends.capa.sweep import capa_deadlines_sweep
from amends.complaints.events import timeline_seal
from amends.core.queues import LONG_QUEUE
from amends.deadlines.sweep import deadlines_sweep
from amends.intake.channels.email.imap import mailboxes_poll
from amends.intake.channels.email.services import email_retry_pending
from amends.intake.outbound import outbound_retry_failed
from amends.notifications.delivery import notifications_deliver
from amends.privacy.services import retention_anonymise
from amends.reports.services import weekly_summary_send
from amends.surveys.followups import followups_escalate
from amends.surveys.norms import norm_check as surveys_norm_check
from amends.surveys.periodic import campaigns_sweep
from amends.surveys.sending import invitations_expire, invitations_remind, invitations_send
from amends.surveys.tasks import SEND_PER_JOB

from .worker import job_results_prune


def _summary(result) -> object:
    """A JSON-friendly record of what a run did, kept on the task's row."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    if isinstance(result, list | tuple):
        return [_summary(item) for item in result]
    return result if isinstance(result, int | str | dict | None) else str(result)


@task()
def deadlines_sweep_task():
    return _summary(deadlines_sweep())


@task()
def capa_deadlines_task():
    return _summary(capa_deadlines_sweep())


@task()
def notifications_deliver_task():
    return _summary(notifications_deliver())


@task()
def mail_poll_task():
    return {"polled": _summary(mailboxes_poll()), "retried": email_retry_pending()}


@task()
def outbound_retry_task():
    return outbound_retry_failed()


@task()
def job_results_prune_task():
    return job_results_prune()


@task()
def timeline_seal_task():
    entry = timeline_seal()
    return entry.object_repr if entry else None


@task()
def idempotency_purge_task():
    return idempotency_purge()


@task()
def retention_anonymise_task():
    erasure = retention_anonymise()
    return erasure.scope if erasure is not None else {}


WEEKLY_SUMMARY_FROM = (0, time(8, 0))  # Monday 08:00, company time (seed 002 §40: Monday morning)


def weekly_summary_due(now) -> bool:
    local = timezone.localtime(now)
    return (local.weekday(), local.time()) >= WEEKLY_SUMMARY_FROM


@task()
def weekly_summary_send_task():
    now = timezone.now()
    return weekly_summary_send(now) if weekly_summary_due(now) else 0


@task()
def capa_proposals_task():
    return _summary(proposals_check())


@task()
def capa_norms_task():
    return [breach.key for breach in norm_check()]


@task(queue_name=LONG_QUEUE)
def analytics_reports_task():
    return scheduled_reports_send()


@task(queue_name=LONG_QUEUE)
def analytics_yearly_task():
    return _summary(yearly_statement_sweep(timezone.now()))


@task()
def register_exports_purge_task():
    return register_exports_purge()


@task()
def surveys_norms_task():
    return {"breaches": [breach.key for breach in surveys_norm_check()], "escalated": followups_escalate()}


@task()
def surveys_campaigns_task():
    return [f"{campaign.kind} {campaign.period}" for campaign in campaigns_sweep(timezone.now())]


@task()
def surveys_mail_task():
    """Expired links first (no reminder to them), then what the campaigns' jobs left, then the reminders."""
    now = timezone.now()
    return {
        "expired": invitations_expire(now),
        "sent": _summary(invitations_send(limit=SEND_PER_JOB, now=now)),
        "reminded": invitations_remind(now),
    }
