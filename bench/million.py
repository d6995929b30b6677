"""Benchmark of the pages a person waits for, at a million cards; run by hand.

  .venv/bin/python bench/million.py --reuse /tmp/m1                     # a filled SQLite var folder (a copy!)
  DATABASE_URL=postgres://... .venv/bin/python bench/million.py           # a filled PostgreSQL
  .venv/bin/python bench/million.py --reuse /tmp/m1 --explain            # also each list query's plan
  .venv/bin/python bench/million.py --reuse /tmp/m1 --only list --requests 10
  .venv/bin/python bench/million.py --reuse /tmp/m1 --skip sorted --skip search   # not the slow ones

The database is filled once by bench/analytics.py (its bulk fill: cards over five years with their
own columns, clocks and customers), e.g. `DATABASE_URL=... .venv/bin/python bench/analytics.py
--only charts` (stop it once it prints the number of cards), or a copy of a filled SQLite folder;
this script spreads the cards' importance once (the fill leaves them all at the default).
This script migrates it (this branch's migrations: the indexes below are built then), gives a few
cards a timeline (40 notes and 3 measures) the first time, and times,
as the head of the QMS, through Django's test client (the whole view and template, no web server):

  list            the complaint list: the default view, each filter, each sort, a deep page, with a
                  search term; p50 and p95 over --requests GETs after one warm-up, and the queries
  card            the card page of an open card with a timeline, a closed one and the oldest one
  weekly          the weekly summary (the last whole week), its page and its workbook
  sweep           the deadline sweep when nothing is due (its steady state), after one sweep that
                  fires whatever the fill left past due (timed once)

`--explain` prints the plan of each list query (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE). Each figure is
printed with the load average: the machine is shared, run it a few times.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, environment, percentile, qms_head, say  # noqa: E402

PARTS = ("list", "card", "weekly", "sweep")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", metavar="DIR", help="SQLite: the filled var folder (never the original: a copy)")
    parser.add_argument("--requests", type=int, default=20, help="GETs per page")
    parser.add_argument("--only", choices=PARTS, action="append", help="time only these parts (repeatable)")
    parser.add_argument("--skip", action="append", metavar="WORD", help="leave out the pages naming it")
    parser.add_argument("--explain", action="store_true", help="print the plan of each list query")
    return parser.parse_args()


OPTIONS = arguments()
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
if not POSTGRES_URL and not OPTIONS.reuse:
    sys.exit("Give --reuse DIR (a copy of a filled SQLite var folder) or DATABASE_URL of a filled PostgreSQL.")
VAR_DIR = environment("amends-bench-million-", var_dir=OPTIONS.reuse, own_sqlite=not POSTGRES_URL)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The pages' {% static %} without collecting the files first.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}}

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.complaints import events  # noqa: E402
from amends.complaints.choices import FINAL_STATES, Importance, State  # noqa: E402
from amends.complaints.models import Category, Complaint, Measure  # noqa: E402
from amends.deadlines.sweep import deadlines_sweep  # noqa: E402

TIMELINE = 40


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def timeline_given(head: User, cards: list[Complaint]) -> None:
    """A timeline and measures for the cards timed, once: the fill gives cards none."""
    for card in cards:
        if card.events.exists():
            continue
        for n in range(TIMELINE):
            events.event_note(card, head, f"Bench note {n}: called the customer, no answer yet.")
        for n in range(3):
            Measure.objects.create(
                complaint=card, description=f"Bench measure {n}", executor=head,
                due_date=timezone.localdate() + timedelta(days=n - 1),
            )


def importance_spread() -> None:
    """The fill leaves every card at the default importance; a live register has a few important ones
    (a filter on a rare value must not read the whole table): 60 % medium, 20 % low, 15 % high, 5 %
    critical, once."""
    if Complaint.objects.exclude(importance=Importance.MEDIUM).exists():
        return
    started = time.perf_counter()
    table = connection.ops.quote_name(Complaint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET importance = CASE WHEN id %% 20 = 0 THEN %s WHEN id %% 20 < 4 THEN %s"
            " WHEN id %% 20 < 8 THEN %s ELSE %s END",
            [Importance.CRITICAL, Importance.HIGH, Importance.LOW, Importance.MEDIUM],
        )
    analyze()
    say(f"importance spread over the cards in {time.perf_counter() - started:.0f} s")


def timed(client: Client, label: str, url: str) -> tuple[str, float, float, int, str]:
    """p50 and p95 of the wall time, with the queries of one request and the p50 of this process's CPU
    time beside the load: on a shared machine the CPU time is what the page costs (on SQLite, the
    database's work is in it; on PostgreSQL, it is in the server's process)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    count = len(queries)  # read now: each request empties the log
    walls, cpus = [], []
    for _ in range(OPTIONS.requests):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return (label, percentile(walls, 0.5), percentile(walls, 0.95), count,
            f"cpu p50 {percentile(cpus, 0.5):.0f} ms, {load()}")


def skipped(label: str) -> bool:
    return any(word in label for word in OPTIONS.skip or ())


def shown(row: tuple) -> None:
    say(f"  {row[0]}: p50 {row[1]:.0f} ms, p95 {row[2]:.0f} ms, {row[3]} queries, {row[4]}")


def list_urls(head: User) -> list[tuple[str, str]]:
    category = Category.objects.filter(parent=None).order_by("pk").first()
    responsible = Complaint.objects.exclude(responsible=None).values("responsible").annotate(
        n=Count("pk")).order_by("-n").values_list("responsible", flat=True).first()
    month_ago = timezone.localdate() - timedelta(days=30)
    year_ago = timezone.localdate() - timedelta(days=365)
    year_ago_month = f"received_from={year_ago.isoformat()}&received_to={(year_ago + timedelta(days=30)).isoformat()}"
    number = Complaint.objects.order_by("-pk").values_list("number", flat=True)[5000]
    return [
        ("list, default view", "/complaints/"),
        ("list, page 2", "/complaints/?page=2"),
        ("list, page 400 (10,000 cards in)", "/complaints/?page=400"),
        ("list, all states incl. set aside", "/complaints/?set_aside=on"),
        ("list, state investigating", "/complaints/?state=investigating"),
        ("list, state closed", "/complaints/?state=closed"),
        ("list, channel e-mail", "/complaints/?channel=email"),
        ("list, category (a top one)", f"/complaints/?category={category.pk}"),
        ("list, importance high", "/complaints/?importance=high"),
        ("list, responsible (busiest)", f"/complaints/?responsible={responsible}"),
        ("list, received in the last 30 days", f"/complaints/?received_from={month_ago.isoformat()}"),
        ("list, received a year ago, one month", f"/complaints/?{year_ago_month}"),
        ("list, measure overdue", "/complaints/?overdue=on"),
        ("list, my cards", "/complaints/?mine=on"),
        ("list, deadline at risk", "/complaints/?deadline=at_risk"),
        ("list, deadline breached", "/complaints/?deadline=breached"),
        ("list, customer wrote after the answer", "/complaints/?after_answer=on"),
        ("list, sorted by due", "/complaints/?sort=due"),
        ("list, sorted by due, latest first", "/complaints/?sort=-due"),
        ("list, sorted by state", "/complaints/?sort=state"),
        ("list, sorted by state, last first, page 40", "/complaints/?sort=-state&page=40"),
        ("list, sorted by importance", "/complaints/?sort=-importance"),
        ("list, sorted by importance, lowest first", "/complaints/?sort=importance"),
        ("list, e-mail sorted by state", "/complaints/?channel=email&sort=state"),
        ("list, sorted by number", "/complaints/?sort=number"),
        ("list, oldest first", "/complaints/?sort=received"),
        ("list, channel e-mail and state investigating", "/complaints/?channel=email&state=investigating"),
        ("list, search a number", f"/complaints/?q={number}"),
        ("list, search a word", "/complaints/?q=" + "Бенчмарк"),
    ]


def explain(client: Client, url: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for query in queries.captured_queries:
        sql = query["sql"]
        if "complaints_complaint" not in sql or float(query["time"]) < 0.02:
            continue
        say(f"  {float(query['time']) * 1000:.0f} ms: {sql[:300]}")
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                say("    " + " ".join(str(cell) for cell in row))


def list_part(client: Client, head: User) -> list[tuple]:
    rows = []
    for label, url in list_urls(head):
        if skipped(label):
            continue
        if OPTIONS.explain:
            say(f"{label}: {url}")
            explain(client, url)
        rows.append(timed(client, label, url))
        shown(rows[-1])
    return rows


def card_part(client: Client, head: User) -> list[tuple]:
    open_card = Complaint.objects.exclude(state__in=FINAL_STATES).exclude(responsible=None).order_by("-pk").first()
    closed = Complaint.objects.filter(state=State.CLOSED).order_by("-pk")[1000]
    oldest = Complaint.objects.order_by("pk").first()
    timeline_given(head, [open_card, closed, oldest])
    rows = []
    for label, card in (("card page, open", open_card), ("card page, closed", closed), ("card page, oldest", oldest)):
        rows.append(timed(client, f"{label} ({card.number}, {card.events.count()} entries)",
                          f"/complaints/{card.number}/"))
        shown(rows[-1])
    return rows


def weekly_part(client: Client) -> list[tuple]:
    """The page lists 200 overdue deadlines; the workbook lists them all (tens of thousands in the fill)."""
    rows = []
    pages = (("weekly summary, page", "/reports/weekly/"), ("weekly summary, workbook", "/reports/weekly.xlsx"))
    for label, url in pages:
        if not skipped(label):
            rows.append(timed(client, label, url))
            shown(rows[-1])
    return rows


def sweep_part() -> list[tuple]:
    started = time.perf_counter()
    result = deadlines_sweep()
    first = (time.perf_counter() - started) * 1000
    rows = [(f"deadline sweep, first ({result})", first, first, 0, load())]
    cpus = []
    times, queries = [], 0
    for _ in range(OPTIONS.requests):
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            deadlines_sweep()
            times.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        queries = len(captured)
    rows.append(("deadline sweep, nothing due", percentile(times, 0.5), percentile(times, 0.95), queries,
                 f"cpu p50 {percentile(cpus, 0.5):.0f} ms, {load()}"))
    for row in rows:
        shown(row)
    return rows


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"migrate: {time.perf_counter() - started:.1f} s")
    cards = Complaint.objects.count()
    if cards == 0:
        sys.exit("The database has no cards: fill it with bench/analytics.py first.")
    importance_spread()
    head = qms_head()
    client = Client()
    client.force_login(head)
    parts = OPTIONS.only or PARTS
    table = []
    say(f"{connection.vendor}, {cards:,} cards, {os.cpu_count()} CPUs, {load()}")
    if "list" in parts:
        table += list_part(client, head)
    if "card" in parts:
        table += card_part(client, head)
    if "weekly" in parts:
        table += weekly_part(client)
    if "sweep" in parts:
        table += sweep_part()
    say()
    say(f"{connection.vendor}, {cards:,} cards, {OPTIONS.requests} requests each")
    width = max(len(row[0]) for row in table)
    say(f"{'page':<{width}}  {'p50 ms':>7}  {'p95 ms':>7}  queries  CPU, load")
    for label, p50, p95, queries, when in table:
        say(f"{label:<{width}}  {p50:>7.0f}  {p95:>7.0f}  {queries:>7}  {when}")


main()
