"""`amends worker`: enqueue the periodic jobs when due and run whatever is on the queue.

The queue is django-tasks' database backend, so any number of workers on any number of
machines share it: a task is claimed in a transaction before it runs, and a periodic slot is
enqueued by exactly one worker (see schedule.py). A task left "running" by a worker that was
killed goes back on the queue after STALE_AFTER; every task is idempotent, so that is safe.
"""

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from amends.intake.services import inbound_process_queued

from .schedule import schedule_due, scheduled_runs_prune

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def tasks_reclaim_stale(now=None) -> int:
    """Put back on the queue the tasks whose worker died while running them."""
    now = now or timezone.now()
    return DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - STALE_AFTER).update(
        status="READY", started_at=None,
    )


class AmendsWorker:
    def __init__(self, *, interval: float = 1.0, backend_name: str = "default"):
        self.interval = interval
        self.running = True
        self.queue = Worker(
            queue_names=["*"], interval=0, batch=True, backend_name=backend_name, startup_delay=False,
            max_tasks=None, worker_id=worker_id(), excluded_queue_names=[],
        )
        self._last_housekeeping: datetime | None = None

    def stop(self) -> None:
        """Finish the task at hand, then leave."""
        self.running = False
        self.queue.running = False

    def tick(self) -> None:
        """One pass: housekeeping once a minute, enqueue what is due, then process the stored messages
        queued for the worker and run the job queue until both are empty."""
        close_old_connections()
        now = timezone.now()
        try:
            if self._last_housekeeping is None or now - self._last_housekeeping >= timedelta(minutes=1):
                tasks_reclaim_stale(now)
                scheduled_runs_prune(now)
                self._last_housekeeping = now
            started = schedule_due(now)
        except OperationalError as error:  # a locked SQLite database: try again on the next pass
            logger.warning("Scheduling skipped: %s", error)
            started = []
        if started:
            logger.debug("Enqueued %s", ", ".join(started))
        while self.running:
            taken = self._process_queued_messages()
            # Between batches, so that a long burst of submissions does not hold up their acknowledgements.
            self.queue.running = self.running
            self.queue.run()
            if not taken:
                break
        close_old_connections()

    def _process_queued_messages(self) -> int:
        try:
            return inbound_process_queued()
        except OperationalError as error:  # a locked SQLite database: try again on the next pass
            logger.warning("Queued messages skipped: %s", error)
            return 0

    def run(self, *, once: bool = False) -> None:
        logger.info("Worker %s started", self.queue.worker_id)
        while self.running:
            self.tick()
            if once:
                return
            time.sleep(self.interval)
