import argparse
import logging
import os
import signal

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from amends.core.sqlite.base import DatabaseWrapper as SQLiteWrapper
from amends.jobs.worker import AmendsWorker, LongJobs


class Command(BaseCommand):
    help = "Run the background work: deadline sweep, mail polling, notifications, reports, queued jobs."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit (for cron or tests).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty.")
        parser.add_argument(
            "--long-jobs", choices=list(LongJobs), default=LongJobs.APART,
            help="Where the long jobs (trainings, imports, exports, workbooks) run: 'apart' in a second process "
                 "this worker starts (the default), 'here' between its other work, 'none' not at all (another "
                 "worker runs them with 'only'), 'only' nothing else.")
        # Given by a worker to the long-jobs process it starts: that process leaves once its parent is gone.
        parser.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, once: bool, interval: float, long_jobs: str, parent: int | None, **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # A line per task every minute drowns what matters; failures are still logged.
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(logging.WARNING)
        # Background work yields the CPU to the web processes beside it: a burst of complaints is
        # taken in at full speed and its acknowledgements follow a moment later.
        os.nice(10)
        # On SQLite, whose writers take turns, it also steps aside after a write others waited for.
        database = connections[DEFAULT_DB_ALIAS]
        if isinstance(database, SQLiteWrapper):
            database.yields_to_others = True
        if once and long_jobs == LongJobs.APART:  # one pass runs everything, in this process
            long_jobs = LongJobs.HERE
        worker = AmendsWorker(interval=interval, long_jobs=LongJobs(long_jobs), parent=parent)

        def stop(signum, frame):
            worker.stop()

        for name in ("SIGINT", "SIGTERM"):
            signal.signal(getattr(signal, name), stop)
        worker.run(once=once)
