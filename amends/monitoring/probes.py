"""Health and readiness: what a load balancer or an orchestrator asks before it sends traffic.

Health says the process answers, and reads nothing. Readiness says this server can do its work:
the database answers, every migration of this code is applied, and the media storage takes a write.
"""

import os
import socket
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

# Where the readiness probe writes its test file, one per server process.
PROBE_PREFIX = "monitoring/ready/"


@dataclass
class Readiness:
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


# Once applied, this code's migrations stay applied: the graph is not read again on every probe.
_migrations_applied = False


def _database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"database unreachable: {error}".strip()
    return None


def _migrations_problem() -> str | None:
    global _migrations_applied
    if _migrations_applied:
        return None
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"migrations unreadable: {error}".strip()
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return f"{len(plan)} migrations not applied: {names}{more}"
    _migrations_applied = True
    return None


def _storage_problem() -> str | None:
    name = f"{PROBE_PREFIX}{socket.gethostname()}-{os.getpid()}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ready"))
        default_storage.delete(saved)
    except Exception as error:  # noqa: BLE001 - any storage's failure (OSError, botocore's) is the answer
        return f"media storage not writable: {type(error).__name__}: {error}".strip()
    return None


def readiness_check() -> Readiness:
    """The database first: without it the migrations cannot be read."""
    database = _database_problem()
    if database:
        return Readiness([database, *filter(None, [_storage_problem()])])
    return Readiness(list(filter(None, [_migrations_problem(), _storage_problem()])))
