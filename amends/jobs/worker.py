"""`amends worker`: enqueue the periodic jobs when due and run whatever is on the queue.

The queue is django-tasks' database backend, so any number of workers on any number of
machines share it: a task is claimed in a transaction before it runs, and a periodic slot is
enqueued by exactly one worker (see schedule.py). A task left "running" by a worker that was
killed goes back on the queue after STALE_AFTER; every task is idempotent, so that is safe.

No job holds a worker forever: each runs within AMENDS_JOB_TIME_BUDGET seconds, or the budget its
task declares (core.budget.job_time_budget), then it is interrupted and recorded as failed, with the
reason; and a job whose worker died during each of its first MAX_RUNS runs is recorded as failed
instead of being handed to the next worker.

The long jobs (core.queues.LONG_QUEUE) run apart: `amends worker` starts a second process for them and
starts it again if it dies, so that a training or an import never holds up the registration of the
complaints arriving meanwhile (see LongJobs for the other arrangements).
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from enum import StrEnum
from math import ceil

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from amends.core.budget import TimeBudgetExceeded, time_budget
from amends.core.links import DEVELOPMENT_BASE_URL, base_url_configured
from amends.core.pauses import on_pause, pause_off, pause_point
from amends.core.queues import LONG_QUEUE
from amends.intake.quarantine import inbound_quarantine_job
from amends.intake.queue import FOLLOW_UP_CARDS, FOLLOW_UP_JOBS, inbound_process_queued, inbound_retry_expired

from .models import WorkerBeat
from .schedule import schedule_due, scheduled_runs_prune

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)
# A job whose worker died (or stalled where no signal reaches) during each of its first MAX_RUNS runs
# is not run again: it may be what stops the workers.
MAX_RUNS = 2
# Batches of stored submissions grow up to this many times AMENDS_INTAKE_BATCH while they come full.
BATCH_GROWTH = 4
# While submissions keep coming, the jobs run after a batch (its follow-ups, the periodic jobs) go on
# only while they have taken less than this share of the batch's own time, one job at least: the
# cards of a burst are registered first, and their duplicate searches and acknowledgements catch up
# once it is over (one job after each batch keeps them, and the periodic jobs, moving meanwhile).
JOBS_SHARE = 0.5
# How soon a worker looks at the queue again after a pass that found work (then twice as late after
# each empty pass, up to its interval).
QUICK_LOOK = 0.05
# A worker records that it lives at most this often (one small write), between batches and jobs too.
BEAT_EVERY = timedelta(seconds=10)
# The beats of workers gone without a clean stop are kept this long, for the metrics to show them stale.
BEATS_KEPT = timedelta(days=1)


# Claims expire after AMENDS_INBOUND_CLAIM_TIMEOUT (2 minutes): looking for them this often is soon enough,
# and spares each batch a query.
EXPIRED_CLAIMS_EVERY = 5.0
# A long-jobs process that died is started again at most this often.
RESTART_AFTER = 10.0
# How long a stopping worker waits for its long-jobs process to finish the job at hand; after that the
# process goes on alone and leaves once done (it watches its parent).
STOP_WAIT = 30.0


class LongJobs(StrEnum):
    """Where a worker runs the jobs of the long queue."""

    APART = "apart"  # in a second process it starts and watches (the default)
    HERE = "here"  # between its other work, giving way to intake at their pause points
    NONE = "none"  # not at all: a worker started with ONLY runs them
    ONLY = "only"  # nothing else: no intake, no periodic jobs


class JobStalled(Exception):  # noqa: N818 - the reason recorded on the job, not raised
    """Recorded as the error of a job that was left running MAX_RUNS times."""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def tasks_reclaim_stale(now=None) -> int:
    """Put back on the queue the tasks whose worker died while running them, or record as failed,
    with the reason, those it already happened to MAX_RUNS times. Returns how many were put back."""
    now = now or timezone.now()
    stale = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - STALE_AFTER)
    put_back = 0
    rows = stale.values_list("id", "started_at", "worker_ids", "task_path", "args_kwargs")
    for task_id, started_at, worker_ids, task_path, args_kwargs in rows:
        runs = len(worker_ids or [])
        same = DBTaskResult.objects.filter(id=task_id, status="RUNNING", started_at=started_at)
        if runs < MAX_RUNS:
            put_back += same.update(status="READY", started_at=None)
            continue
        reason = (f"Stopped without finishing {runs} times (workers {', '.join(map(str, worker_ids))}): "
                  f"not run again, since it may be what stops the worker. Enqueue it again once the cause is found.")
        with transaction.atomic():
            if same.update(status="FAILED", finished_at=now, return_value=None,
                           exception_class_path=f"{JobStalled.__module__}.{JobStalled.__qualname__}",
                           traceback=f"{JobStalled.__qualname__}: {reason}\n"):
                logger.error("Job %s given up: %s", task_id, reason)
                _quarantine_messages(task_path, args_kwargs, reason)
    return put_back


# How long a finished job's result is kept: the failed ones' errors are what an administrator reads.
SUCCEEDED_KEPT = timedelta(days=14)
FAILED_KEPT = timedelta(days=90)
# Deleted this many at a time, so that no delete holds SQLite's writers for long; at most PRUNE_CHUNKS
# chunks a run, so that years of results left by an older release go over several hours.
PRUNE_CHUNK = 5000
PRUNE_CHUNKS = 50


def job_results_prune(now: datetime | None = None) -> int:
    """Delete the results of the jobs finished longer ago than they are kept; how many. Every batch of
    intake and every periodic slot leaves one, thousands a day, which nothing else ever removes."""
    now = now or timezone.now()
    kept_out = (Q(status="SUCCESSFUL", finished_at__lt=now - SUCCEEDED_KEPT)
                | Q(status="FAILED", finished_at__lt=now - FAILED_KEPT))
    deleted = 0
    for _chunk in range(PRUNE_CHUNKS):
        pks = list(DBTaskResult.objects.filter(kept_out).order_by().values_list("pk", flat=True)[:PRUNE_CHUNK])
        if not pks:
            break
        deleted += DBTaskResult.objects.filter(pk__in=pks).delete()[0]
        pause_point()  # the submissions waiting meanwhile get their cards
    return deleted


def _quarantine_messages(task_path: str, args_kwargs: dict | None, reason: str) -> None:
    """An intake job's message shows the reason among the quarantined inbound messages."""
    inbound_quarantine_job(task_path=task_path, args=(args_kwargs or {}).get("args", []), reason=reason)


_BUDGET_EXCEEDED = f"{TimeBudgetExceeded.__module__}.{TimeBudgetExceeded.__qualname__}"


class _BudgetedQueue(Worker):
    """django-tasks' worker, with each job run within the time budget."""

    budget: float = 0

    def run_at_most(self, count: int) -> int:
        """Run jobs until the queue is empty or `count` have run; how many ran."""
        self.max_tasks, self._run_tasks = count, 0
        self.run()
        return self._run_tasks

    def run_within(self, count: int, seconds: float) -> int:
        """Run up to `count` jobs: the first whatever it takes, the others while `seconds` have not
        passed since the first began; how many ran."""
        ends, ran = time.monotonic() + seconds, 0
        while ran < count and self.running and self.run_at_most(1):
            ran += 1
            if time.monotonic() >= ends:
                break
        return ran

    def budget_of(self, db_task_result: DBTaskResult) -> float:
        """The task's own budget when it declares one, else the worker's; under STALE_AFTER either way,
        or a job still running would be handed to a second worker."""
        try:
            declared = getattr(db_task_result.task.func, "time_budget", None)
        except Exception:  # a task that cannot be imported: django-tasks records that when it runs it
            declared = None
        return min(float(declared or self.budget), STALE_AFTER.total_seconds() - 60)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            with time_budget(self.budget_of(db_task_result), f"The job {db_task_result.task_path}"):
                # Interrupted inside, the job is recorded as failed with the reason, as for any error.
                super().run_task(db_task_result)
        except TimeBudgetExceeded as error:  # in the queue's bookkeeping after the job: reclaimed later
            logger.warning("Job %s: %s", db_task_result.id, error)
            return
        if db_task_result.status == "FAILED" and db_task_result.exception_class_path == _BUDGET_EXCEEDED:
            _quarantine_messages(db_task_result.task_path, db_task_result.args_kwargs,
                                 db_task_result.traceback.strip().rsplit("\n", 1)[-1])


class LongJobsProcess:
    """The second process of a worker started with LongJobs.APART: `amends worker --long-jobs only`."""

    def __init__(self, interval: float):
        self.command = [sys.executable, "-m", "config.cli", "worker", "--long-jobs", LongJobs.ONLY,
                        "--interval", str(interval), "--parent", str(os.getpid())]
        self.process: subprocess.Popen | None = None
        self._started = 0.0

    def keep_running(self) -> None:
        """Start it, or start it again if it died (logged, with its exit code)."""
        if self.process is not None and self.process.poll() is None:
            return
        if self.process is not None:
            if time.monotonic() - self._started < RESTART_AFTER:
                return
            logger.error("The long jobs' process %s stopped (exit code %s); starting it again",
                         self.process.pid, self.process.returncode)
        self.process = subprocess.Popen(self.command)
        self._started = time.monotonic()
        logger.info("Long jobs run in process %s", self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            logger.warning("The long jobs' process %s is finishing its job; it stops once done", self.process.pid)


class AmendsWorker:
    def __init__(self, *, interval: float = 1.0, backend_name: str = "default", long_jobs: LongJobs = LongJobs.HERE,
                 parent: int | None = None):
        self.interval = interval
        self.long_jobs = LongJobs(long_jobs)
        self.running = True
        self.budget = float(settings.AMENDS_JOB_TIME_BUDGET)
        self.batch = settings.AMENDS_INTAKE_BATCH
        if self.budget >= STALE_AFTER.total_seconds():
            raise ImproperlyConfigured("AMENDS_JOB_TIME_BUDGET must be shorter than the worker's STALE_AFTER")
        only_long = self.long_jobs == LongJobs.ONLY
        self.queue = _BudgetedQueue(
            queue_names=[LONG_QUEUE] if only_long else ["*"], interval=0, batch=True, backend_name=backend_name,
            startup_delay=False, max_tasks=None, worker_id=worker_id(),
            excluded_queue_names=[LONG_QUEUE] if self.long_jobs in (LongJobs.APART, LongJobs.NONE) else [],
        )
        self.long_process = LongJobsProcess(interval) if self.long_jobs == LongJobs.APART else None
        # A long-jobs process started by a worker leaves once that worker is gone.
        self.parent = parent
        self.queue.budget = self.budget
        self._last_housekeeping: datetime | None = None
        self._slots_known: dict[str, datetime] = {}
        self._expired_claims_seen: float | None = None
        self._started_at = timezone.now()
        self._last_beat: datetime | None = None

    def stop(self) -> None:
        """Finish the task at hand, then leave."""
        self.running = False
        self.queue.running = False

    def tick(self) -> bool:
        """One pass: housekeeping once a minute, enqueue what is due, then process the stored messages
        queued for the worker and run the job queue until both are empty; whether it found work."""
        close_old_connections()
        if self.long_jobs == LongJobs.ONLY:
            return self._tick_long_jobs()
        if self.long_process is not None:
            self.long_process.keep_running()
        now = timezone.now()
        try:
            self.beat(now)
            if self._last_housekeeping is None or now - self._last_housekeeping >= timedelta(minutes=1):
                tasks_reclaim_stale(now)
                scheduled_runs_prune(now)
                WorkerBeat.objects.filter(beat_at__lt=now - BEATS_KEPT).delete()
                self._last_housekeeping = now
            started = schedule_due(now, known=self._slots_known)
        except OperationalError as error:  # a locked SQLite database: try again on the next pass
            logger.warning("Scheduling skipped: %s", error)
            started = []
        if started:
            logger.debug("Enqueued %s", ", ".join(started))
        worked = False
        while self.running:
            began = time.monotonic()
            taken = self._process_queued_messages()
            # Cards first: the customer has the number, and the card is what the tracking link and the
            # staff need. After a batch, as many jobs as it queued follow-ups (the acknowledgements first,
            # then the oldest jobs) within JOBS_SHARE of its time, so that a burst delays the follow-ups and
            # the periodic jobs but never stops them; with no batch, one job a pass, so that a submission arriving
            # meanwhile waits for one job at most.
            self.queue.running = self.running
            ran = self.queue.run_within(max(1, FOLLOW_UP_JOBS * ceil(taken / FOLLOW_UP_CARDS)),
                                        JOBS_SHARE * (time.monotonic() - began))
            if not (taken or ran):
                break
            worked = True
            self._beat_between_batches()
        close_old_connections()
        return worked

    def _tick_long_jobs(self) -> bool:
        if self.parent is not None and os.getppid() != self.parent:
            logger.info("The worker that started this one is gone: stopping")
            self.stop()
            return False
        self._beat_between_batches()
        self.queue.running = self.running
        worked = False
        while self.running and self.queue.run_at_most(1):
            worked = True
            self._beat_between_batches()
        close_old_connections()
        return worked

    def beat(self, now: datetime | None = None) -> None:
        """Record that this worker lives, at most every BEAT_EVERY."""
        now = now or timezone.now()
        if self._last_beat is not None and now - self._last_beat < BEAT_EVERY:
            return
        WorkerBeat.objects.update_or_create(worker=self.queue.worker_id,
                                            defaults={"beat_at": now, "started_at": self._started_at})
        self._last_beat = now

    def _beat_between_batches(self) -> None:
        try:
            self.beat()
        except OperationalError as error:  # a locked SQLite database: the next beat will do
            logger.warning("Heartbeat skipped: %s", error)

    def _beat_stop(self) -> None:
        """A worker stopped on purpose is no longer expected: its row goes, so no alert follows."""
        if self._last_beat is None:  # stopped before its first pass: no row
            return
        try:
            WorkerBeat.objects.filter(worker=self.queue.worker_id).delete()
        except OperationalError as error:
            logger.warning("Heartbeat not removed: %s", error)

    def intake_between_steps(self) -> None:
        """At a long job's pause point: the submissions waiting get their cards, their follow-ups
        queued behind the job."""
        while self.running and self._process_queued_messages() >= settings.AMENDS_INTAKE_BATCH:
            pass

    def _expired_claims_due(self) -> bool:
        now = time.monotonic()
        if self._expired_claims_seen is not None and now - self._expired_claims_seen < EXPIRED_CLAIMS_EVERY:
            return False
        self._expired_claims_seen = now
        return True

    def _process_queued_messages(self) -> int:
        try:
            # Interrupted inside a message, that message is quarantined with the reason (inbound_process).
            with time_budget(self.budget, "Processing the stored submissions"):
                taken = inbound_process_queued(self.batch, retry_expired=False)
                if self._expired_claims_due() and (retried := inbound_retry_expired(self.batch)):
                    taken += retried
                    self._expired_claims_seen = None  # more may be left: look again on the next pass
        except OperationalError as error:  # a locked SQLite database: try again on the next pass
            logger.warning("Queued messages skipped: %s", error)
            return 0
        except TimeBudgetExceeded as error:  # between two messages: the claimed one is retried later
            logger.warning("%s", error)
            return 0
        # Adaptive: a full batch means a backlog, which larger batches (less work a card) clear sooner;
        # the size comes back down with the backlog, as a batch holds SQLite's writers for its length.
        least = settings.AMENDS_INTAKE_BATCH
        self.batch = min(self.batch * 2, BATCH_GROWTH * least) if taken >= self.batch else max(least, self.batch // 2)
        return taken

    def run(self, *, once: bool = False) -> None:
        logger.info("Worker %s started", self.queue.worker_id)
        if not base_url_configured() and not settings.DEBUG:
            logger.warning("AMENDS_BASE_URL is not set: links in the mail the worker sends (tracking pages, "
                           "cards) point to %s. Set it to the address people open the app at.",
                           DEVELOPMENT_BASE_URL)
        pause = self.interval
        if self.long_jobs != LongJobs.ONLY:
            on_pause(self.intake_between_steps)
        try:
            while self.running:
                worked = self.tick()
                if once:
                    return
                # Work comes in runs (a burst of mail, a poll's messages): look again soon after a pass
                # that found some, then back off to the interval while the queue stays empty.
                pause = min(self.interval, QUICK_LOOK) if worked else min(self.interval, pause * 2)
                time.sleep(pause)
        finally:
            pause_off(self.intake_between_steps)
            if self.long_process is not None:
                self.long_process.stop()
            if not once:
                self._beat_stop()
