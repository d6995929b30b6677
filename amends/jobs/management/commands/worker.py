import logging
import os
import signal

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from amends.core.sqlite.base import DatabaseWrapper as SQLiteWrapper
from amends.jobs.worker import AmendsWorker


class Command(BaseCommand):
    help = "Run the background work: deadline sweep, mail polling, notifications, reports, queued jobs."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit (for cron or tests).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty.")

    def handle(self, *args, once: bool, interval: float, **options):
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
        worker = AmendsWorker(interval=interval)

        def stop(signum, frame):
            worker.stop()

        for name in ("SIGINT", "SIGTERM"):
            signal.signal(getattr(signal, name), stop)
        worker.run(once=once)
