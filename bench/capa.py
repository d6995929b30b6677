"""Benchmark of the CAPA app at scale (issue 15), run by hand; every figure in one table.

  .venv/bin/python bench/capa.py                                   # 1,000,000 cards, a temporary SQLite
  .venv/bin/python bench/capa.py --reuse /tmp/capa-1m               # keep the SQLite there; reuse it next time
  scripts/with-postgres .venv/bin/python bench/capa.py              # a fresh PostgreSQL
  DATABASE_URL=postgres://... .venv/bin/python bench/capa.py        # a PostgreSQL, reused if already filled
  .venv/bin/python bench/capa.py --cards 20000 --requests 10        # a quick look

Filling (only when the database has no cards yet), with production settings: migrate, then 200
suppliers with three components each, --cards cards spread evenly over the last five years inserted
in bulk with only their own columns (executemany on SQLite, COPY on PostgreSQL; bench/common.py):
causes of every kind, 40 % justified or partly, 20 % not decided, 3 % duplicates and 2 % withdrawn,
30 % of the cards naming a supplier's component (every supplier-caused one), a fifth of those the
supplier itself. Then --records nonconformities (a tenth closed) of the suppliers, each with five
linked cards, two actions and its timeline (opened, owner, linked, two actions planned), 2,000
compensation grants on the last full year's cards, the supplier norm set so that about a tenth of the
suppliers is over it in a year, then ANALYZE (VACUUM ANALYZE on PostgreSQL), as a live database's
statistics would be. A reused database first loses the norm breaches and proposals of an earlier run,
so that `norm_check`'s first run writes them again, and is analysed again (a new index needs its
statistics).

Timed, in this process, as the head of the QMS through Django's test client (the whole view and
template, no web server), for the last full calendar year unless said:
  norm_status          the norms of every supplier, the manufacturer and all suppliers: the first run,
                       then the median of --repeat more
  norm_check           the worker's hourly job for that year (it also checks the year before): the
                       first run writes the breaches, their notices and proposals; the second is a no-op
  pages                p50 and p95 over --requests GETs after one warm-up: the scorecard of the
                       busiest supplier (the year; the current month), the suppliers list (the year),
                       the norms page (the year), the nonconformity register (first page) and the
                       record page of a nonconformity with its links, actions and timeline
Each figure comes with the SQL queries of one run.

Figures, 6 December 2026, 1,000,000 cards, 2 CPUs shared with other work. "Before" is the app as
merged on integ, "after" this branch (counts grouped by the card's own keys, an index of the period's
cards, component ids given as numbers, COUNT of an indexed column, the list's labels translated once).
Full runs before and after at load average 7 to 10 (inflated, noisy), after again at load 2 to 3 with
--requests 50; then the three pages changed, before and after in turn on the same database at load 3,
30 GETs each in a fresh process (A/B). ms, p50 / p95 for pages.

  SQLite                              before, load 8-10   after, load 7-10   after, load 2-3
  norm_status, year: first / median        384 / 664          317 / 310          46 / 40
  norm_check first run (writes)             111,886             18,528            3,499
  norm_check second run (no-op)                 946                559              100
  scorecard, year                         434 / 892          162 / 295          53 / 135
  scorecard, current month                380 / 490          110 / 152          64 / 74
  suppliers list, year                  1,424 / 3,562      1,570 / 2,455        658 / 933
  norms page, year                        104 / 230          169 / 352         147 / 211
  nonconformity register                   51 / 115           57 / 124          30 / 68
  nonconformity record page               712 / 1,298        246 / 532          92 / 201
  A/B load 3: list / scorecard / norms    296/422, 70/78, 69/111 -> 308/388, 47/59, 68/97

  PostgreSQL                          before, load 8-10   after, load 7-10   after, load 2-3
  norm_status, year: first / median        376 / 389          166 / 144          42 / 31
  norm_check first run (writes)              28,071             14,264            4,379
  norm_check second run (no-op)                 430                218               89
  scorecard, year                       1,979 / 2,905        254 / 371          70 / 74
  scorecard, current month                747 / 1,351        226 / 341          37 / 46
  suppliers list, year                  1,495 / 2,794        416 / 727         125 / 151
  norms page, year                        597 / 859          297 / 647          70 / 86
  nonconformity register                  326 / 448          187 / 316          41 / 57
  nonconformity record page               704 / 1,795        737 / 1,361       110 / 188
  A/B load 3: list / scorecard / norms    260/367, 453/511, 116/132 -> 123/161, 60/100, 71/105

Filling took 523 s on SQLite and 201 s on PostgreSQL (both at once, load 8 to 12). The first norm_check
writes 45 breaches (19 suppliers, the manufacturer and all suppliers, in 2025 and 2024), each with its
proposal linking every card counted (some 12,000 for the all-suppliers row) and its notices. On SQLite
the list's year is read through the (supplier, received_at) index, about 230 ms of its 300; in this
script's own process, after norm_check's writes, the list measured twice that (658 / 933) while a fresh
process on the same database measured 308 / 388: not explained yet.
"""

import argparse
import os
import random
import shutil
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    analyze,
    bulk_insert,
    datetime_value,
    environment,
    median,
    page_timings,
    percentile,
    qms_head,
    say,
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--records", type=int, default=2000, help="nonconformities")
    parser.add_argument("--repeat", type=int, default=5, help="norm_status runs after the first")
    parser.add_argument("--requests", type=int, default=100, help="GETs per page")
    parser.add_argument("--reuse", metavar="DIR", help="SQLite: keep the database in DIR, reuse it if filled")
    parser.add_argument("--without-index", action="store_true", help="drop the norms' index before timing")
    return parser.parse_args()


OPTIONS = arguments()
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
VAR_DIR = environment("amends-bench-capa-", var_dir=OPTIONS.reuse, own_sqlite=not POSTGRES_URL)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The pages' {% static %} without collecting the files first (a manifest takes minutes to build here).
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}}

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.answers.choices import GrantStatus  # noqa: E402
from amends.answers.models import CompensationGrant, CompensationOption  # noqa: E402
from amends.capa.choices import (  # noqa: E402
    ActionStatus,
    NonconformityState,
    NormSubject,
    PeriodKind,
    ProposalKind,
    RecordEventKind,
    Source,
)
from amends.capa.event_texts import ACTION_PLANNED, LINKED, OPENED, OWNER_APPOINTED  # noqa: E402
from amends.capa.events import record_events_many  # noqa: E402
from amends.capa.models import Action, CapaSettings, NormBreach, Proposal  # noqa: E402
from amends.capa.models.nonconformities import Nonconformity, NonconformityComplaint  # noqa: E402
from amends.capa.norms import norm_check, norm_status  # noqa: E402
from amends.capa.periods import period_of  # noqa: E402
from amends.complaints.choices import Channel, Justification, State  # noqa: E402
from amends.complaints.models import Cause, Complaint  # noqa: E402
from amends.customers.models import Component, Product, Supplier  # noqa: E402
from amends.notifications.models import Notification  # noqa: E402

YEARS = 5
JUSTIFICATIONS = [Justification.JUSTIFIED] * 3 + [Justification.PARTLY] + [Justification.UNJUSTIFIED] * 4 + [""] * 2
STATES = [State.CLOSED] * 90 + [State.INVESTIGATING] * 5 + [State.DUPLICATE] * 3 + [State.WITHDRAWN] * 2
RECORD_STATES = [NonconformityState.OPEN] * 3 + [NonconformityState.ANALYSED, NonconformityState.ACTIONS_PLANNED] * 2
RECORD_STATES += [NonconformityState.ACTIONS_DONE, NonconformityState.EFFECTIVENESS_CHECKED, NonconformityState.CLOSED]
LINKS, ACTIONS, GRANTS = 5, 2, 2000


def fill_cards(count: int, rng: random.Random) -> float:
    """The suppliers, their components and the cards; seconds the cards took."""
    products = Product.objects.bulk_create(Product(name=f"Bench product {i}") for i in range(20))
    suppliers = Supplier.objects.bulk_create(Supplier(name=f"Bench supplier {i:03d}") for i in range(OPTIONS.suppliers))
    parts = [
        (component.supplier_id, component.pk) for component in Component.objects.bulk_create(
            Component(name=f"Part {i}-{j}", supplier=supplier, product=products[(i + j) % len(products)])
            for i, supplier in enumerate(suppliers) for j in range(3)
        )
    ]
    causes = list(Cause.objects.values_list("pk", "kind"))
    now = timezone.now()
    start, span = now - timedelta(days=365 * YEARS), timedelta(days=365 * YEARS)

    def rows():
        for i in range(count):
            cause_id, kind = rng.choice(causes)
            supplier_id, component_id = rng.choice(parts) if kind == "supplier" or rng.random() < 0.3 else (None, None)
            yield {
                "number": f"1990-{i + 1:07d}", "tracking_code": f"bench{i}",
                "received_at": datetime_value(start + span * (i / count)),
                "state": rng.choice(STATES), "justification": rng.choice(JUSTIFICATIONS), "cause_id": cause_id,
                "component_id": component_id, "supplier_id": supplier_id if rng.random() < 0.2 else None,
            }

    template = Complaint(number="", received_at=now, channel=Channel.PHONE, wording="Бенчмарк норм поставщиков")
    started = time.perf_counter()
    bulk_insert(Complaint, template, rows())
    return time.perf_counter() - started


def fill_records(count: int, rng: random.Random, head: User, period) -> None:
    """Nonconformities of the suppliers with linked cards, actions and their timelines; grants on the
    period's cards."""
    suppliers = list(Supplier.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    records = Nonconformity.objects.bulk_create(
        Nonconformity(
            number=f"NC-{today.year}-{n + 1:04d}", title=f"Bench nonconformity {n}", supplier_id=rng.choice(suppliers),
            state=rng.choice(RECORD_STATES), source=Source.MANUAL, owner=head, opened_by=head,
            opened_at=timezone.now() - timedelta(days=rng.randrange(365 * 2)),
        )
        for n in range(count)
    )
    top = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cards = {pk: number for pk, number in Complaint.objects.filter(pk__in=[
        rng.randrange(1, top + 1) for _ in range(count * LINKS)
    ]).values_list("pk", "number")}
    linked = {record.pk: rng.sample(list(cards), LINKS) if len(cards) >= LINKS else list(cards) for record in records}
    NonconformityComplaint.objects.bulk_create(
        NonconformityComplaint(nonconformity_id=record, complaint_id=card, linked_by=head)
        for record, chosen in linked.items() for card in chosen
    )
    Action.objects.bulk_create(
        Action(nonconformity=record, description=f"Incoming inspection {k}", owner=head, created_by=head,
               status=ActionStatus.DONE if record.state == NonconformityState.CLOSED else ActionStatus.PLANNED,
               due_date=today + timedelta(days=30), check_on=today + timedelta(days=120))
        for record in records for k in range(ACTIONS)
    )
    entries = []
    for record in records:
        entries += [
            (record.pk, RecordEventKind.OPENED, OPENED, {"source": Source.MANUAL, "title": record.title}),
            (record.pk, RecordEventKind.OWNER, OWNER_APPOINTED, {"owner": str(head)}),
            (record.pk, RecordEventKind.COMPLAINTS, LINKED, {"cards": [cards[pk] for pk in linked[record.pk]]}),
        ] + [
            (record.pk, RecordEventKind.ACTION, ACTION_PLANNED, {
                "kind": "corrective", "action": f"Incoming inspection {k}", "owner": str(head),
                "due": (today + timedelta(days=30)).isoformat(), "check_on": (today + timedelta(days=120)).isoformat(),
            })
            for k in range(ACTIONS)
        ]
    record_events_many(entries, head)
    option = CompensationOption.objects.filter(is_active=True).first()
    start, end = period.bounds()
    given = list(Complaint.objects.filter(received_at__gte=start, received_at__lt=end).values_list("pk", "received_at"))
    CompensationGrant.objects.bulk_create(
        CompensationGrant(complaint_id=pk, option=option, value=Decimal(rng.randrange(100, 5000)), method="—",
                          due_date=today, status=GrantStatus.APPROVED, granted_by=head,
                          decided_at=received + timedelta(days=5))
        for pk, received in rng.sample(given, min(GRANTS, len(given)))
    )


def set_norm(period) -> None:
    """A supplier norm that about a tenth of the suppliers exceed in the period."""
    capa = CapaSettings.current()
    capa.norm_period = PeriodKind.YEAR
    capa.save()
    found = sorted(row.count for row in norm_status(period) if row.subject == NormSubject.SUPPLIER)
    if found:
        CapaSettings.objects.filter(pk=capa.pk).update(supplier_norm=max(1, found[len(found) * 9 // 10]))


def forget_breaches() -> None:
    """An earlier run's breaches, their proposals and notices, so that norm_check writes them again."""
    NormBreach.objects.all().delete()
    Proposal.objects.filter(kind=ProposalKind.NORM).delete()
    Notification.objects.filter(kind="norm_exceeded").delete()


def timed(call):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        return (time.perf_counter() - started) * 1000, len(queries), result


def busiest_supplier() -> Supplier:
    top = Complaint.objects.values(key=Coalesce("supplier", "component__supplier")).exclude(key=None).annotate(
        n=Count("pk"),
    ).order_by("-n").first()
    if top is None:
        raise SystemExit("no supplier in the database")
    return Supplier.objects.get(pk=top["key"])


def main() -> None:
    rng = random.Random(15)
    table: list[tuple[str, str, str, int]] = []  # figure, first or p50, median or p95, queries
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"migrate: {time.perf_counter() - started:.1f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    head = qms_head()
    year = timezone.localdate().year - 1
    period = period_of(PeriodKind.YEAR, date(year, 6, 1))
    if Complaint.objects.exists():
        say("reusing the filled database")
        forget_breaches()
        analyze()  # a migration since may have added an index: without its statistics SQLite passes it by
    else:
        elapsed = fill_cards(OPTIONS.cards, rng)
        say(f"fill: {OPTIONS.cards} cards in {elapsed:.0f} s ({OPTIONS.cards / elapsed:,.0f} cards/s)")
        started = time.perf_counter()
        fill_records(OPTIONS.records, rng, head, period)
        set_norm(period)
        analyze()
        say(f"fill: {OPTIONS.records} nonconformities, grants, ANALYZE in {time.perf_counter() - started:.0f} s")
    if OPTIONS.without_index:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX complaint_norm_counts")
        say("index complaint_norm_counts dropped")
    cards = Complaint.objects.count()
    say(f"{connection.vendor}: {cards} cards, {Supplier.objects.count()} suppliers, "
        f"{Nonconformity.objects.count()} nonconformities; period {period.label}")

    runs = [timed(lambda: norm_status(period)) for _ in range(OPTIONS.repeat + 1)]
    rows = runs[0][2]
    over = sum(row.exceeded for row in rows if row.subject == NormSubject.SUPPLIER)
    say(f"norm_status: {len(rows) - 2} supplier rows, {over} over the norm")
    table.append(("norm_status, year (first, median)", f"{runs[0][0]:.0f}",
                  f"{median([run[0] for run in runs[1:]]):.0f}", runs[0][1]))

    moment = timezone.make_aware(datetime(year, 12, 15))
    first = timed(lambda: norm_check(moment))
    second = timed(lambda: norm_check(moment))
    say(f"norm_check: {len(first[2])} breaches written with their proposals, then {len(second[2])}")
    table.append(("norm_check, year: first run (writes)", f"{first[0]:.0f}", "", first[1]))
    table.append(("norm_check, year: second run (no-op)", f"{second[0]:.0f}", "", second[1]))

    client = Client()
    client.force_login(head)
    busiest = busiest_supplier()
    record = Nonconformity.objects.exclude(state=NonconformityState.CLOSED).order_by("pk").first()
    assert record is not None
    start = f"{year}-01-01"
    pages = [
        (f"scorecard page, year ({busiest.name})", f"/capa/suppliers/{busiest.pk}/?kind=year&start={start}"),
        ("scorecard page, current month", f"/capa/suppliers/{busiest.pk}/?kind=month"),
        ("suppliers list page, year", f"/capa/suppliers/?kind=year&start={start}"),
        ("norms page, year", f"/capa/norms/?kind=year&day={start}"),
        ("nonconformity register, first page", "/capa/"),
        (f"nonconformity record page ({record.number})", f"/capa/{record.number}/"),
    ]
    for label, url in pages:
        times, queries = page_timings(client, url, OPTIONS.requests)
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        table.append((f"{label} (p50, p95)", f"{p50:.0f}", f"{p95:.0f}", queries))
        say(f"{label}: done")

    say()
    say(f"{connection.vendor}, {cards:,} cards, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    width = max(len(row[0]) for row in table)
    say(f"{'figure':<{width}}  {'ms':>6}  {'ms':>6}  queries")
    for label, one, two, queries in table:
        say(f"{label:<{width}}  {one:>6}  {two:>6}  {queries:>7}")


try:
    main()
finally:
    if not OPTIONS.reuse:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
