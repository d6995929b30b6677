"""The periodic work and when it is due. `schedule_due` enqueues each job once per slot."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of a django-tasks Task
    every: timedelta

    def slot(self, now: datetime) -> datetime:
        """The start of the slot `now` falls in."""
        return now - (now - EPOCH) % self.every


PERIODIC = [
    Periodic("deadlines_sweep", "amends.jobs.tasks.deadlines_sweep_task", timedelta(minutes=1)),
    # Nonconformities' deadlines are days: every 5 minutes is soon enough.
    Periodic("capa_deadlines", "amends.jobs.tasks.capa_deadlines_task", timedelta(minutes=5)),
    Periodic("notifications_deliver", "amends.jobs.tasks.notifications_deliver_task", timedelta(minutes=1)),
    Periodic("mail_poll", "amends.jobs.tasks.mail_poll_task", timedelta(minutes=1)),
    Periodic("outbound_retry", "amends.jobs.tasks.outbound_retry_task", timedelta(minutes=5)),
    # Daily: the policy counts in years, and a run takes a bounded batch (the next day takes the rest).
    Periodic("retention", "amends.jobs.tasks.retention_anonymise_task", timedelta(days=1)),
    # The timeline joins the audit chain as a digest of the events since the last seal.
    Periodic("timeline_seal", "amends.jobs.tasks.timeline_seal_task", timedelta(minutes=5)),
    Periodic("idempotency_purge", "amends.jobs.tasks.idempotency_purge_task", timedelta(hours=1)),
    # The finished jobs' results, thousands a day, go once kept long enough (worker.job_results_prune).
    Periodic("job_results_prune", "amends.jobs.tasks.job_results_prune_task", timedelta(hours=1)),
    # Hourly, so that a refused mail or a worker that was down on Monday morning is caught up; the
    # summary itself goes once per week and person, from Monday 08:00 (see tasks.weekly_summary_send_task).
    Periodic("weekly_summary", "amends.jobs.tasks.weekly_summary_send_task", timedelta(hours=1)),
    # Clusters of similar complaints and causes growing quarter on quarter, proposed to the QMS heads.
    Periodic("capa_proposals", "amends.jobs.tasks.capa_proposals_task", timedelta(hours=1)),
    # A norm crossed is flagged, announced and proposed within the hour, once per period (capa/norms.py).
    Periodic("capa_norms", "amends.jobs.tasks.capa_norms_task", timedelta(hours=1)),
    # The reports overseers chose by mail, each once per week, month or year (analytics/schedules.py);
    # hourly, so that a refused mail or a worker that was down is caught up.
    Periodic("analytics_reports", "amends.jobs.tasks.analytics_reports_task", timedelta(hours=1)),
    # The yearly statement: drafted from 1 January, the reminder from the 5th, the escalation after the 15th.
    Periodic("analytics_yearly", "amends.jobs.tasks.analytics_yearly_task", timedelta(hours=1)),
    # Register exports hold personal data: their files go a week after they were asked for.
    Periodic("register_exports_purge", "amends.jobs.tasks.register_exports_purge_task", timedelta(hours=6)),
    # The surveys' loyalty norms, told once per quarter, segment and norm; overdue follow-ups escalated once.
    Periodic("surveys_norms", "amends.jobs.tasks.surveys_norms_task", timedelta(hours=1)),
    # The six-monthly and quarterly surveys start within the hour of their period's first day, once each.
    Periodic("surveys_campaigns", "amends.jobs.tasks.surveys_campaigns_task", timedelta(hours=1)),
    # Survey invitations a stopped worker or a refused mail left, the reminders, the links' expiry.
    Periodic("surveys_mail", "amends.jobs.tasks.surveys_mail_task", timedelta(minutes=5)),
    # The triage models learn the new classifications daily; a field with few new cards is left as it is.
    Periodic("triage_train", "amends.triage.training_tasks.triage_train_task", timedelta(days=1)),
]


def periodic_jobs() -> list[Periodic]:
    disabled = set(getattr(settings, "AMENDS_JOBS_DISABLED", ()))
    return [job for job in PERIODIC if job.name not in disabled]


def schedule_due(
    now: datetime | None = None, jobs: list[Periodic] | None = None, known: dict[str, datetime] | None = None,
) -> list[str]:
    """Enqueue every periodic job whose current slot has not been enqueued by any worker yet. `known`, kept
    by a worker from one pass to the next, holds each job's slot once it was enqueued: the database is
    asked again only when a new slot begins, not on every pass (a busy worker passes many times a second)."""
    now = now or timezone.now()
    known = {} if known is None else known
    started = []
    for job in periodic_jobs() if jobs is None else jobs:
        slot = job.slot(now)
        if known.get(job.name) == slot:
            continue
        if not ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            try:
                with transaction.atomic():
                    ScheduledRun.objects.create(job=job.name, slot=slot)
                    import_string(job.task).enqueue()
                started.append(job.name)
            except IntegrityError:  # another worker took this slot a moment ago
                pass
        known[job.name] = slot
    return started


def scheduled_runs_prune(now: datetime | None = None, keep: timedelta = timedelta(days=14)) -> int:
    now = now or timezone.now()
    return ScheduledRun.objects.filter(enqueued_at__lt=now - keep).delete()[0]
