"""Benchmark, run by hand: `.venv/bin/python bench/capa.py [--cards 1000000] [--without-index]`.

The supplier and manufacturer norms at scale (issue 15): on a fresh SQLite database in a temporary
folder, or on the PostgreSQL of DATABASE_URL (`scripts/with-postgres .venv/bin/python bench/capa.py`),
migrate, add 200 suppliers with three components each, then --cards cards spread evenly over five
years, inserted in bulk with only their own columns (executemany on SQLite, COPY on PostgreSQL):
causes of every kind, justified, partly justified, unjustified or not yet decided, some duplicates
and withdrawn. Then time `norm_status` for the last full year (every supplier's row, the
manufacturer's and all suppliers'): the first run, then the median and the worst of --repeat more,
with its SQL queries. --without-index drops the norms' index first, to see what it saves.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--cards", type=int, default=1_000_000)
parser.add_argument("--suppliers", type=int, default=200)
parser.add_argument("--repeat", type=int, default=5)
parser.add_argument("--without-index", action="store_true", help="drop the norms' index before timing")
parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
options = parser.parse_args()

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-capa-")
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": VAR_DIR, "DEBUG": "0",
    "LOG_LEVEL": "WARNING",
})

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.capa.choices import NormSubject, PeriodKind  # noqa: E402
from amends.capa.norms import norm_status  # noqa: E402
from amends.capa.periods import period_of  # noqa: E402
from amends.complaints.choices import Channel, Justification, State  # noqa: E402
from amends.complaints.models import Cause, Complaint  # noqa: E402
from amends.customers.models import Component, Product, Supplier  # noqa: E402

BATCH = 50_000
YEARS = 5
# Shares as in a live table: most cards decided, a third of them justified in full or in part.
JUSTIFICATIONS = [Justification.JUSTIFIED] * 3 + [Justification.PARTLY] + [Justification.UNJUSTIFIED] * 4 + [""] * 2
STATES = [State.CLOSED] * 90 + [State.INVESTIGATING] * 5 + [State.DUPLICATE] * 3 + [State.WITHDRAWN] * 2


def say(text: str = "") -> None:
    print(text, flush=True)


def suppliers_and_components(count: int) -> list[tuple[int, int]]:
    """(supplier id, component id) for three components of each supplier."""
    products = Product.objects.bulk_create(Product(name=f"Bench product {i}") for i in range(20))
    suppliers = Supplier.objects.bulk_create(Supplier(name=f"Bench supplier {i:03d}") for i in range(count))
    components = Component.objects.bulk_create(
        Component(name=f"Part {i}-{j}", supplier=supplier, product=products[(i + j) % len(products)])
        for i, supplier in enumerate(suppliers) for j in range(3)
    )
    return [(component.supplier_id, component.pk) for component in components]


def fill(count: int, rng: random.Random) -> float:
    """Insert the cards: every column prepared once from a template card, then only the varying ones set."""
    parts = suppliers_and_components(options.suppliers)
    causes = list(Cause.objects.values_list("pk", "kind"))
    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    template = Complaint(number="", received_at=now, channel=Channel.PHONE, wording="Бенчмарк норм поставщиков")
    constant = [f.get_db_prep_save(f.pre_save(template, True), connection=connection) for f in fields]
    column = {f.attname: i for i, f in enumerate(fields)}
    names = [f.column for f in fields]
    end = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=366)
    span = timedelta(days=365 * YEARS).total_seconds()
    start_at = end - timedelta(days=365 * YEARS)
    postgres = connection.vendor == "postgresql"
    adapt = (lambda value: value) if postgres else connection.ops.adapt_datetimefield_value
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        rows = []
        for i in range(first, min(count, first + BATCH)):
            row = constant.copy()
            cause_id, kind = rng.choice(causes)
            supplier_id, component_id = rng.choice(parts) if kind == "supplier" or rng.random() < 0.3 else (None, None)
            own = supplier_id if rng.random() < 0.2 else None  # most cards name the component only
            for name, value in (
                ("number", f"B-{i:07d}"), ("tracking_code", f"bench{i}"),
                ("received_at", adapt(start_at + timedelta(seconds=span * i / count))),
                ("state", rng.choice(STATES)), ("justification", rng.choice(JUSTIFICATIONS)),
                ("cause_id", cause_id), ("component_id", component_id), ("supplier_id", own),
            ):
                row[column[name]] = value
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                with cursor.cursor.copy(f"COPY {Complaint._meta.db_table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {Complaint._meta.db_table} ({', '.join(names)}) VALUES ({placeholders})", rows,
                )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:  # as autovacuum and `ANALYZE` would have done on a live table
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    return elapsed


def main() -> None:
    rng = random.Random(15)
    say(f"database: {connection.vendor}, {options.cards} cards over {YEARS} years, {options.suppliers} suppliers")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"migrate: {time.perf_counter() - started:.1f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-400000")
    elapsed = fill(options.cards, rng)
    say(f"fill: {options.cards} cards in {elapsed:.1f} s ({options.cards / elapsed:,.0f} cards/s)")
    if options.without_index:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX complaint_norm_counts")
        say("index complaint_norm_counts dropped")
    period = period_of(PeriodKind.YEAR, datetime(timezone.localdate().year - 1, 6, 1).date())
    timings = []
    for run in range(options.repeat + 1):
        with CaptureQueriesContext(connection) as queries:
            begun = time.perf_counter()
            rows = norm_status(period)
            timings.append(time.perf_counter() - begun)
        if run == 0:
            counted = {row.subject: row for row in rows if row.subject != NormSubject.SUPPLIER}
            suppliers = [row for row in rows if row.subject == NormSubject.SUPPLIER]
            say(f"norm_status {period.label}: {len(suppliers)} supplier rows, "
                f"manufacturer {counted[NormSubject.MANUFACTURER].count}, "
                f"all suppliers {counted[NormSubject.ALL_SUPPLIERS].count}, "
                f"{sum(row.exceeded for row in suppliers)} suppliers over the norm; {len(queries)} queries")
            in_year = Complaint.objects.filter(received_at__gte=period.bounds()[0], received_at__lt=period.bounds()[1])
            say(f"cards received in {period.label}: {in_year.count()}")
    say(f"norm_status for a year: first {timings[0] * 1000:.0f} ms, then median "
        f"{statistics.median(timings[1:]) * 1000:.0f} ms, worst {max(timings[1:]) * 1000:.0f} ms "
        f"({options.repeat} runs)")


try:
    main()
finally:
    if options.keep:
        say(f"kept: {VAR_DIR}")
    else:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
