"""A large import sets aside the secondary indexes of the cards' and timeline's tables while it inserts,
and builds them again after it: one build per index over the filled table costs a fraction of keeping
every index up to date row by row. The unique ones (card number, tracking code, source row) stay, so
nothing can be imported twice meanwhile.

Each index set aside is recorded (`SetAsideIndex`, with its definition) in the same transaction that
drops it, and each is built again in the same transaction that forgets its record: whatever stops the
process, every missing index has its record. Records whose process is gone are built again by the next
import, by `amends import --indexes`, and by the worker when it starts (docs/imports.md).
"""

import logging
import os
import re
import socket
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from amends.complaints.models import Complaint, TimelineEvent

from .models import ImportRun, ImportStatus, SetAsideIndex

logger = logging.getLogger(__name__)

# An import of at least this many rows sets the indexes aside (when it is also as large as the table).
BULK_ROWS = 100_000
# A run on another machine that committed nothing for this long is taken as stopped.
STALE = timedelta(minutes=15)
TABLES = (Complaint._meta.db_table, TimelineEvent._meta.db_table)
CREATE = re.compile(r"^\s*CREATE\s+INDEX\s+(?!IF\s+NOT\s+EXISTS)", re.IGNORECASE)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def secondary_indexes() -> list[tuple[str, str, str]]:
    """(table, index name, its CREATE statement) of every index of TABLES that is not unique."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indrelid"
                " WHERE c.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
                " ORDER BY 1, 2", [list(TABLES)],
            )
            return list(cursor.fetchall())
        cursor.execute(
            f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({', '.join(['%s'] * len(TABLES))}) ORDER BY 1, 2", list(TABLES),
        )
        # Automatic indexes (sql NULL) are the unique constraints'; a unique one written out stays too.
        return [(table, name, sql) for table, name, sql in cursor.fetchall()
                if not re.match(r"\s*CREATE\s+UNIQUE", sql, re.IGNORECASE)]


def set_aside_wanted(rows_left: int | None, choice: bool | None) -> bool:
    """Whether a run with `rows_left` rows to read sets the indexes aside: as chosen, else when the
    rows are many (BULK_ROWS) and at least as many as the cards stored, so the builds after it cost
    less than the upkeep they save. SQLite only: on PostgreSQL the indexes always stay."""
    if connection.vendor != "sqlite":
        return False
    if choice is not None:
        return choice
    if rows_left is None or rows_left < BULK_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(Complaint._meta.db_table)}")
        stored = cursor.fetchone()[0]
    return rows_left >= stored


def indexes_set_aside(run: ImportRun) -> int:
    """Drop the secondary indexes for `run`, each recorded first; those already set aside (by a run
    that stopped) become this run's. Returns how many are set aside now."""
    me = this_process()
    with transaction.atomic():
        SetAsideIndex.objects.update(run=run, process=me)
        for table, name, definition in secondary_indexes():
            SetAsideIndex.objects.create(table=table, name=name, definition=definition, run=run, process=me)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {_quoted(name)}")
        count = SetAsideIndex.objects.count()
    logger.info("import %s: %s indexes set aside", run.pk, count)
    return count


def indexes_restore(*, only_abandoned: bool = False, progress: Callable[[int, int], None] | None = None) -> int:
    """Build again every index set aside (or only those whose process is gone), each in its own
    transaction with its record's removal. Returns how many were built."""
    records = list(SetAsideIndex.objects.order_by("pk"))
    if only_abandoned:
        records = [record for record in records if not _alive(record)]
    built = 0
    for record in records:
        with transaction.atomic():
            # Taken by its record's removal: another process building it meanwhile leaves nothing to do.
            if not SetAsideIndex.objects.filter(pk=record.pk).delete()[0]:
                continue
            with connection.cursor() as cursor:
                cursor.execute(CREATE.sub("CREATE INDEX IF NOT EXISTS ", record.definition, count=1))
        built += 1
        if progress:
            progress(built, len(records))
    if connection.vendor == "postgresql" and built:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    if built:
        logger.info("%s indexes set aside by an import built again", built)
    return built


def indexes_abandoned() -> bool:
    """Whether an index is set aside by a process that is gone (killed in an import)."""
    return any(not _alive(record) for record in SetAsideIndex.objects.all())


def _alive(record: SetAsideIndex) -> bool:
    """Whether the process that set the index aside still runs its import: on this machine, whether
    the process exists; on another one, whether its run committed within STALE."""
    run = record.run
    if run is None or run.status != ImportStatus.RUNNING:
        return False
    host, _sep, pid = record.process.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    moment = run.progressed_at or run.started_at
    return moment is not None and timezone.now() - moment < STALE



def _quoted(name: str) -> str:
    # PostgreSQL's regclass text is already quoted where it must be.
    return name if connection.vendor == "postgresql" else connection.ops.quote_name(name)
