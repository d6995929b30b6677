"""What the benchmarks share: the environment of a run, printing, percentiles, timing pages, and
inserting many rows of one model fast (only the columns that vary are set per row)."""

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(prefix: str, *, var_dir: str | None = None, own_sqlite: bool = True) -> str:
    """Production settings with a temporary (or the given) var folder; `own_sqlite` ignores DATABASE_URL.
    Call before `django.setup()`; returns the var folder."""
    folder = var_dir or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(Path(folder) / "static", exist_ok=True)  # WhiteNoise warns of a missing one
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": folder,
        "MEDIA_ROOT": str(Path(folder) / "media"), "DEBUG": "0", "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    })
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if own_sqlite:
        os.environ.pop("DATABASE_URL", None)
    return folder


def intake_environment(prefix: str, source: Path | None) -> tuple[str, bool]:
    """`environment` for the intake benches: mail to nowhere, no rate limit on the form; on SQLite a copy of
    `source`'s database (a var folder), never the folder itself. Returns the var folder and whether the
    run is on PostgreSQL (DATABASE_URL)."""
    postgres = bool(os.environ.get("DATABASE_URL"))
    folder = environment(prefix, own_sqlite=not postgres)
    os.environ.update({"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                       "AMENDS_WEB_FORM_RATE": "off", "LOG_LEVEL": "WARNING"})
    if not postgres:
        if source is None:
            raise SystemExit("SQLite: give --from a var folder holding a filled amends.sqlite3 (it is copied)")
        shutil.copy(source / "amends.sqlite3", Path(folder) / "amends.sqlite3")
    return folder, postgres


def say(text: str = "") -> None:
    print(text, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def page_timings(client, url: str, requests: int) -> tuple[list[float], int]:
    """Milliseconds of `requests` GETs after one warm-up (translations, templates), and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # read now: each request empties the log (reset_queries)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times, count


def bulk_insert(model, template, rows: Iterable[dict], batch: int = 50_000) -> int:
    """Insert rows of `model`: every column prepared once from the unsaved `template`, then each row's
    own values (by attname, already in the database's form) set over it. COPY on PostgreSQL,
    executemany elsewhere; one transaction per batch. Returns the number of rows."""
    from django.db import connection, transaction

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    constant = [f.get_db_prep_save(f.pre_save(template, True), connection=connection) for f in fields]
    column = {f.attname: i for i, f in enumerate(fields)}
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    postgres = connection.vendor == "postgresql"
    total, chunk = 0, []

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for line in chunk:
                        copy.write_row(line)
            else:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})", chunk)
        chunk.clear()

    for values in rows:
        line = constant.copy()
        for name, value in values.items():
            line[column[name]] = value
        chunk.append(line)
        total += 1
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return total


def datetime_value(moment):
    """A datetime in the database's form, for bulk_insert."""
    from django.db import connection

    return moment if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(moment)


@contextmanager
def indexes_dropped(*models):
    """The models' secondary indexes dropped for a bulk fill and built again after it: one build per
    index over the filled table is far faster than keeping every index up to date row by row. The
    indexes of constraints (the primary key, unique columns) stay."""
    from django.db import connection

    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid = ANY(%s::regclass[])"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [tables],
            )
            indexes = cursor.fetchall()  # names as regclass writes them: quoted where they must be
        else:
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({', '.join(['%s'] * len(tables))})", tables,
            )
            indexes = [(connection.ops.quote_name(name), sql) for name, sql in cursor.fetchall()]
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)


def bench_user(username: str, role: str):
    """A benchmark's user in one role, made once; English, so the figures' labels are."""
    from django.contrib.auth.models import Group

    from amends.accounts.models import User

    found = User.objects.filter(username=username).first()
    if found is None:
        found = User.objects.create_user(username=username, password=None, language="en")
        found.groups.set(Group.objects.filter(name=role))
    return found


def qms_head():
    """The benchmarks' head of the QMS, "bench-qms"."""
    from amends.accounts.roles import Role

    return bench_user("bench-qms", Role.QMS_HEAD)


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def analyze() -> None:
    """The planner's statistics, as a live database's would be (VACUUM ANALYZE on PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
