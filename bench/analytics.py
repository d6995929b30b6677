"""Benchmark of the analysis (issue 16), run by hand; every figure in one table.

  .venv/bin/python bench/analytics.py                               # 1,000,000 cards, a temporary SQLite
  .venv/bin/python bench/analytics.py --reuse /tmp/analytics-1m      # keep the SQLite there; reuse it next time
  scripts/with-postgres .venv/bin/python bench/analytics.py          # a fresh PostgreSQL
  DATABASE_URL=postgres://... .venv/bin/python bench/analytics.py    # a PostgreSQL, reused if already filled
  .venv/bin/python bench/analytics.py --cards 20000 --requests 5     # a quick look

Filling (only when the database has no cards yet), with production settings: migrate, then 8
departments, 30 products, 6 categories of 3 subcategories, 40 suppliers of 3 components, 25
responsible persons, --cards / 4 customers (300 of them frequent: an eighth of the cards, the repeat
complainants) and --cards cards spread evenly over the last five years, inserted in bulk with only
their own columns (bench/common.py), their secondary indexes dropped during the insert and built
after it. The cards: nine channels, 8 % claims, 4 % objections and 3 % other requests (not
counted), 2 % duplicates and 1 % withdrawn (not counted); the last two months still open in the
lifecycle's states, older ones mostly closed; decided ones with a cause and a justification (35 %
justified, 15 % partly); closed ones answered, half rated for satisfaction, 60 % with the
customer's loyalty. Each card has a first-response and a decision clock: about 80 % met in time, the
rest late or still running past due; a phone or in-person card's first response is met by
registration; a duplicate's or withdrawn card's clocks are stopped. 3 % of the justified closed
cards have a compensation granted, and every month has its order count when the order counts exist.
Then ANALYZE (VACUUM ANALYZE on PostgreSQL), as a live database's statistics would be.

Timed, in this process, as the head of the QMS (--only charts or --only dashboards: just those):
  charts          each registered chart's compute alone, default filters: which one a page waits for
  dashboards      each dashboard of analytics.dashboards.DASHBOARDS through its page with Django's
                  test client (the whole view and template, no web server), and through the API
                  (/api/v1/analytics/dashboards/<key>/): p50 and p95 over --requests GETs after one
                  warm-up, with the default filters (a year back from the first of this month) and
                  with one dimension filter (the department with the most cards)
  PDF             each dashboard's PDF (board_documents.board_pdf) of its computed charts, once
  yearly          analytics.yearly.yearly_figures for the last whole year: the first run and the
                  median of --repeat more
  export          analytics.exports.write_register of every card to CSV, in a process of its own
                  (so that its memory is the export's): rows per second and the peak RSS
                  (ru_maxrss) of a run, then tracemalloc's peak in a second run (--no-tracemalloc
                  skips it: tracing slows the run)
A part of issue 16 not merged into the branch run is reported as missing instead of its figures.

Filling speed, 6 December 2026, 200,000 cards on the an-api branch, 2 CPUs at load 8 to 10 (other
work running): SQLite 3,255 cards/s and 5,172 clocks/s (61 s and 77 s), PostgreSQL 3,364 cards/s
and 12,730 clocks/s (60 s and 31 s), each with its indexes built again; the drawing of a card takes
17 microseconds of CPU, the rest is the database's.
"""

import argparse
import importlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from bisect import bisect
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    analyze,
    bulk_insert,
    environment,
    indexes_dropped,
    median,
    page_timings,
    percentile,
    qms_head,
    say,
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="GETs per dashboard and filter")
    parser.add_argument("--repeat", type=int, default=3, help="yearly statement runs after the first")
    parser.add_argument("--reuse", metavar="DIR", help="SQLite: keep the database in DIR, reuse it if filled")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the export's traced run")
    parser.add_argument("--only", choices=["charts", "dashboards"], help="time only these, then stop")
    # The export's own process: the var folder of the filled database, and whether to trace.
    parser.add_argument("--export-in", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


OPTIONS = arguments()
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
VAR_DIR = environment(
    "amends-bench-analytics-", var_dir=OPTIONS.export_in or OPTIONS.reuse, own_sqlite=not POSTGRES_URL,
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The pages' {% static %} without collecting the files first (a manifest takes minutes to build here).
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}}

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from amends.accounts.models import Department, User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.analytics.charts import CHARTS  # noqa: E402
from amends.analytics.dashboards import DASHBOARDS  # noqa: E402
from amends.answers.choices import GrantStatus  # noqa: E402
from amends.answers.models import CompensationGrant, CompensationOption  # noqa: E402
from amends.complaints.choices import (  # noqa: E402
    CauseKind,
    Channel,
    ClaimDemand,
    Justification,
    Loyalty,
    RequestType,
    State,
)
from amends.complaints.models import Category, Cause, Complaint  # noqa: E402
from amends.complaints.selectors import ComplaintFilter, complaint_list  # noqa: E402
from amends.customers.models import Component, Contact, Product, Supplier  # noqa: E402
from amends.deadlines.choices import Basis, ClockKind  # noqa: E402
from amends.deadlines.models import Clock  # noqa: E402

YEARS = 5
OPEN_DAYS = 60  # cards younger than this are still being handled, the younger the earlier in the lifecycle
FREQUENT = 300  # customers who complain again and again


def weighted(pairs: list[tuple[object, float]]):
    """A draw from (value, weight) pairs by one uniform number: rng.random() -> value."""
    values, cumulative = [value for value, _ in pairs], list(accumulate(weight for _, weight in pairs))
    total = cumulative[-1]
    return lambda uniform: values[min(bisect(cumulative, uniform * total), len(values) - 1)]


CHANNEL = weighted([(Channel.EMAIL, 30), (Channel.PHONE, 25), (Channel.WEB_FORM, 20), (Channel.MESSENGER, 8),
                    (Channel.SOCIAL, 5), (Channel.LETTER, 5), (Channel.IN_PERSON, 4), (Channel.INTERNAL, 2),
                    (Channel.FAX, 1)])
REQUEST_TYPE = weighted([(RequestType.COMPLAINT, 85), (RequestType.CLAIM, 8), (RequestType.OBJECTION, 4),
                         (RequestType.OTHER, 3)])
OPEN_STATE = weighted([(State.REGISTERED, 20), (State.ASSIGNED, 20), (State.INVESTIGATING, 25), (State.DECIDED, 10),
                       (State.MEASURES_PLANNED, 8), (State.IN_PROGRESS, 8), (State.RESOLVED, 4), (State.ANSWERED, 5)])
STALE_STATE = weighted([(State.INVESTIGATING, 4), (State.DECIDED, 2), (State.IN_PROGRESS, 2), (State.ANSWERED, 2)])
JUSTIFICATION = weighted([(Justification.JUSTIFIED, 35), (Justification.PARTLY, 15), (Justification.UNJUSTIFIED, 50)])
SATISFACTION = weighted([(score, weight) for score, weight in zip(range(1, 11), (2, 2, 3, 4, 6, 8, 12, 20, 23, 20),
                                                                   strict=True)])
LOYALTY = weighted([(Loyalty.RECOMMENDS, 65), (Loyalty.STAYS, 22), (Loyalty.LEAVES, 13)])
UNDECIDED = (State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.DUPLICATE, State.WITHDRAWN)
ANSWERED = (State.ANSWERED, State.CLOSED)
SET_ASIDE = (State.DUPLICATE, State.WITHDRAWN)
ALLOWANCE = {ClockKind.FIRST_RESPONSE: timedelta(hours=24), ClockKind.DECISION: timedelta(days=10)}


def part(module: str, name: str):
    """A name another part of issue 16 provides, or None on a branch without that part yet."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


class World:
    """What the cards refer to, and how card i is drawn: the same draw for its clocks later."""

    def __init__(self, count: int):
        self.count = count
        self.now = timezone.now()  # in UTC, and so is every moment drawn from it
        # datetime_value for a million rows: SQLite keeps a UTC moment as its naive text.
        self.moment = (lambda moment: moment) if connection.vendor == "postgresql" else (
            lambda moment: str(moment.replace(tzinfo=None)))
        self.start = self.now - timedelta(days=365 * YEARS)
        self.departments = [d.pk for d in Department.objects.bulk_create(
            Department(name=f"Bench department {n}") for n in range(8))]
        self.products = [p.pk for p in Product.objects.bulk_create(
            Product(name=f"Bench product {n}") for n in range(30))]
        parents = Category.objects.bulk_create(Category(name=f"Bench category {n}") for n in range(6))
        self.categories = [c.pk for c in parents] + [c.pk for c in Category.objects.bulk_create(
            Category(name=f"Bench subcategory {p.pk}.{n}", parent=p) for p in parents for n in range(3))]
        suppliers = Supplier.objects.bulk_create(Supplier(name=f"Bench supplier {n:02d}") for n in range(40))
        self.components = [(c.supplier_id, c.pk) for c in Component.objects.bulk_create(
            Component(name=f"Part {s.pk}-{n}", supplier=s, product_id=self.products[(s.pk + n) % 30])
            for s in suppliers for n in range(3))]
        self.causes = list(Cause.objects.filter(is_active=True).values_list("pk", "kind"))
        group = Group.objects.get(name=Role.RESPONSIBLE)
        self.responsible = []
        for n in range(25):
            user = User.objects.create_user(username=f"bench-responsible-{n}", password=None)
            user.groups.add(group)
            self.responsible.append(user.pk)
        self.contacts = max(FREQUENT * 2, count // 4)

    def card(self, i: int) -> tuple[random.Random, dict]:
        """Card i's own columns (by attname; its datetimes in UTC), and the draw that goes on to its clocks."""
        rng = random.Random(i)
        draw = rng.random
        received = self.start + (self.now - self.start) * (i / self.count)
        age_days = (self.now - received).days
        request_type = REQUEST_TYPE(draw())
        left_out = draw()
        if left_out < 0.03:
            state = State.DUPLICATE if left_out < 0.02 else State.WITHDRAWN
        elif age_days < OPEN_DAYS:
            state = State.CLOSED if draw() < age_days / OPEN_DAYS else OPEN_STATE(draw())
        else:
            state = State.CLOSED if draw() < 0.97 else STALE_STATE(draw())
        decided = state not in UNDECIDED
        cause_id, cause_kind = rng.choice(self.causes) if decided else (None, "")
        supplier_id, component_id = (
            rng.choice(self.components) if cause_kind == CauseKind.SUPPLIER or draw() < 0.05 else (None, None))
        answered = received + timedelta(days=0.2 + 12 * draw()) if state in ANSWERED else None
        closed = answered + timedelta(days=5 * draw()) if answered and state == State.CLOSED else None
        frequent = draw() < 0.125
        return rng, {
            "number": f"{received.year}-{i + 1:07d}", "tracking_code": f"bench{i}", "received_at": received,
            "channel": CHANNEL(draw()), "request_type": request_type, "state": state,
            "claim_demand": ClaimDemand.REFUND if request_type == RequestType.CLAIM else "",
            "contact_id": self.first_contact + (rng.randrange(FREQUENT) if frequent else rng.randrange(self.contacts)),
            "department_concerned_id": rng.choice(self.departments) if draw() < 0.9 else None,
            "product_id": rng.choice(self.products) if draw() < 0.7 else None,
            "category_id": rng.choice(self.categories) if draw() < 0.85 else None,
            "responsible_id": rng.choice(self.responsible) if state != State.REGISTERED else None,
            "cause_id": cause_id, "justification": JUSTIFICATION(draw()) if decided else "",
            "component_id": component_id, "supplier_id": supplier_id if draw() < 0.2 else None,
            "answered_at": answered, "closed_at": closed,
            "satisfaction": SATISFACTION(draw()) if closed and draw() < 0.5 else None,
            "loyalty": LOYALTY(draw()) if closed and draw() < 0.6 else "",
        }

    def fill_contacts(self) -> int:
        template = Contact(full_name="")
        rows = ({"full_name": f"Bench customer {n}", "email": f"customer{n}@example.com"} for n in range(self.contacts))
        with indexes_dropped(Contact):
            bulk_insert(Contact, template, rows)
        self.first_contact = Contact.objects.filter(full_name="Bench customer 0").values_list("pk", flat=True).get()
        return self.contacts

    def fill_cards(self) -> int:
        def rows():
            for i in range(self.count):
                _rng, values = self.card(i)
                for name in ("received_at", "answered_at", "closed_at"):
                    if values[name] is not None:
                        values[name] = self.moment(values[name])
                yield values

        template = Complaint(number="", received_at=self.now, channel=Channel.EMAIL, wording="Бенчмарк аналитики")
        with indexes_dropped(Complaint):
            bulk_insert(Complaint, template, rows())
        first, last = Complaint.objects.filter(tracking_code__in=["bench0", f"bench{self.count - 1}"]).order_by(
            "pk").values_list("pk", flat=True)
        assert last - first + 1 == self.count, "the cards' keys are not consecutive"
        self.first_card = first
        return self.count

    def fill_clocks(self) -> int:
        """Both clocks of every card, in one pass over the cards; the compensation grants are drawn on the way."""
        self.grants: list[dict] = []
        allowance_field = Clock._meta.get_field("allowance")
        stored = {kind: allowance_field.get_db_prep_save(allowance, connection)
                  for kind, allowance in ALLOWANCE.items()}
        moment = self.moment

        def rows():
            for i in range(self.count):
                rng, card = self.card(i)
                started, state = card["received_at"], card["state"]
                for kind, allowance in ALLOWANCE.items():
                    row = {
                        "complaint_id": self.first_card + i, "kind": kind, "allowance": stored[kind],
                        "started_at": moment(started), "at_risk_at": moment(started + allowance * 0.75),
                        "due_at": moment(started + allowance), "escalate_at": moment(started + allowance * 1.5),
                    }
                    by_registration = (kind == ClockKind.FIRST_RESPONSE
                                       and card["channel"] in (Channel.PHONE, Channel.IN_PERSON))
                    done = state not in UNDECIDED if kind == ClockKind.DECISION else state != State.REGISTERED
                    if state in SET_ASIDE:
                        row["stopped_at"] = moment(started + timedelta(hours=2))
                    elif by_registration:
                        row.update(met_at=row["started_at"], met_by_registration=True)
                    elif done:
                        late = rng.random() < 0.2
                        share = 1 + 2 * rng.random() if late else 0.05 + 0.95 * rng.random()
                        row["met_at"] = moment(min(started + allowance * share, self.now))
                    yield row
                closed = card["closed_at"]
                if closed and card["justification"] != Justification.UNJUSTIFIED and rng.random() < 0.03:
                    self.grants.append({
                        "complaint_id": self.first_card + i, "value": Decimal(rng.randrange(500, 20000)),
                        "due_date": connection.ops.adapt_datefield_value(closed.date()),
                        "granted_at": moment(closed), "decided_at": moment(closed),
                    })

        template = Clock(kind=ClockKind.DECISION, allowance=ALLOWANCE[ClockKind.DECISION], basis=Basis.CALENDAR,
                         started_at=self.now, at_risk_at=self.now, due_at=self.now, escalate_at=self.now)
        with indexes_dropped(Clock):
            return bulk_insert(Clock, template, rows())

    def fill_grants(self, head: User) -> int:
        option = CompensationOption.objects.filter(is_active=True).order_by("pk").first()
        assert option is not None, "no compensation option: the answers migrations load them"
        template = CompensationGrant(complaint_id=self.first_card, option=option, value=0, method="Перевод на карту",
                                     due_date=date.today(), status=GrantStatus.APPROVED, granted_by=head,
                                     decided_by=head)
        return bulk_insert(CompensationGrant, template, self.grants)

    def fill_orders(self, head: User) -> int:
        monthly_orders = part("amends.analytics.models", "MonthlyOrders")
        if monthly_orders is None:
            return 0
        months = {date(day.year, day.month, 1) for day in (self.start.date() + timedelta(days=n)
                                                           for n in range(0, 365 * YEARS + 31, 28))}
        rng = random.Random(16)
        monthly_orders.objects.bulk_create(
            monthly_orders(month=month, orders=rng.randrange(8000, 12000), entered_by=head, entered_at=self.now)
            for month in sorted(months))
        return len(months)


def fill(head: User) -> list[tuple[str, str, str]]:
    """The rows of the filling's part of the table: what, seconds, rows per second."""
    timings = []

    def timed(label: str, work) -> None:
        started = time.perf_counter()
        rows = work()
        elapsed = time.perf_counter() - started
        label = f"{rows:,} {label}" if rows else label
        timings.append((label, f"{elapsed:.1f}", f"{rows / elapsed:,.0f}" if rows else ""))
        say(f"fill: {label} in {elapsed:.1f} s")

    world = World(OPTIONS.cards)
    timed("customers", world.fill_contacts)
    timed("cards", world.fill_cards)
    timed("clocks", world.fill_clocks)
    timed("compensation grants", lambda: world.fill_grants(head))
    timed("order counts", lambda: world.fill_orders(head))
    timed("ANALYZE", analyze)
    return timings


def timings_row(label: str, client, url: str) -> tuple[str, str, str, str]:
    times, queries = page_timings(client, url, OPTIONS.requests)
    return (f"{label} (p50, p95)", f"{percentile(times, 0.5):.0f}", f"{percentile(times, 0.95):.0f}", str(queries))


def dashboards(head: User) -> list[tuple[str, str, str, str]]:
    busiest = Complaint.objects.exclude(department_concerned=None).values("department_concerned").annotate(
        n=Count("pk")).order_by("-n").values_list("department_concerned", flat=True).first()
    page, api = Client(), APIClient()
    page.force_login(head)
    api.force_authenticate(head)
    rows = []
    for key, board in DASHBOARDS.items():
        missing = [chart for chart in board.charts if chart not in CHARTS]
        if missing:
            rows.append((f"dashboard {key}: charts not on this branch: {', '.join(missing)}", "", "", ""))
            continue
        try:
            page_url = reverse("analytics:board", args=[key])
        except NoReverseMatch:
            page_url = ""
            rows.append((f"dashboard {key}: no page on this branch (analytics:board)", "", "", ""))
        api_url = reverse("api:analytics_dashboard", args=[key])
        for filters, query in [("default filters", ""), ("a department", f"?department={busiest}")]:
            if page_url:
                rows.append(timings_row(f"page {key}, {filters}", page, page_url + query))
            rows.append(timings_row(f"API {key}, {filters}", api, api_url + query))
        say(f"dashboard {key}: done")
    return rows


def charts(head: User) -> list[tuple[str, str, str, str]]:
    """Each chart's compute alone, default filters: which one a slow dashboard waits for."""
    from amends.analytics.filters import AnalyticsFilter

    filters = AnalyticsFilter.default(timezone.localdate())
    rows = []
    for key, spec in CHARTS.items():
        spec.compute(head, filters)  # warm-up
        times = []
        for _ in range(max(3, OPTIONS.requests // 3)):
            started = time.perf_counter()
            spec.compute(head, filters)
            times.append((time.perf_counter() - started) * 1000)
        rows.append((f"chart {key} (p50, max)", f"{percentile(times, 0.5):.0f}", f"{max(times):.0f}", ""))
    return rows


def board_pdf(head: User) -> list[tuple[str, str, str, str]]:
    """A dashboard's PDF as the weekly report sends it: its charts, then the document."""
    from amends.analytics.board_documents import board_pdf, board_report
    from amends.analytics.filters import AnalyticsFilter

    filters, rows = AnalyticsFilter.default(timezone.localdate()), []
    for key, board in DASHBOARDS.items():
        report = board_report(head, board, filters)
        started = time.perf_counter()
        board_pdf(report.dashboard, report.charts, report.filters)
        rows.append((f"PDF of dashboard {key}, its charts computed", f"{(time.perf_counter() - started) * 1000:.0f}",
                     "", ""))
    return rows


def yearly(head: User) -> list[tuple[str, str, str, str]]:
    yearly_figures = part("amends.analytics.yearly", "yearly_figures")
    if yearly_figures is None:
        return [("yearly statement: not on this branch (analytics.yearly.yearly_figures)", "", "", "")]
    year = timezone.localdate().year - 1
    runs = []
    for _ in range(OPTIONS.repeat + 1):
        started = time.perf_counter()
        yearly_figures(head, year)
        runs.append((time.perf_counter() - started) * 1000)
    return [(f"yearly statement {year} (first, median)", f"{runs[0]:.0f}", f"{median(runs[1:] or runs):.0f}", "")]


def export_measure() -> None:
    """In the export's own process: every card to CSV; prints the figures as JSON."""
    write_register = part("amends.analytics.exports", "write_register")
    if write_register is None:
        print(json.dumps({"missing": "analytics.exports.write_register"}))
        return
    import tracemalloc

    head = qms_head()
    cards = complaint_list(head, ComplaintFilter())
    target = Path(VAR_DIR) / "register.csv"
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if OPTIONS.trace:
        tracemalloc.start()
    started = time.perf_counter()
    with target.open("wb") as file:
        rows = write_register(cards, file, "csv", language="en")
    elapsed = time.perf_counter() - started
    figures = {
        "rows": rows, "seconds": elapsed, "size_mb": target.stat().st_size / 2**20,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "baseline_mb": baseline / 1024,
    }
    if OPTIONS.trace:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    target.unlink()
    print(json.dumps(figures))


def export(var_dir: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for trace in [False] + ([] if OPTIONS.no_tracemalloc else [True]):
        command = [sys.executable, __file__, "--export-in", var_dir] + (["--trace"] if trace else [])
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        if "missing" in figures:
            return [(f"register export: not on this branch ({figures['missing']})", "", "", "")]
        rate = figures["rows"] / figures["seconds"]
        if trace:
            rows.append(("CSV export traced: peak MB (tracemalloc), rows/s", f"{figures['traced_peak_mb']:.0f}",
                         f"{rate:,.0f}", ""))
        else:
            rows.append((f"CSV export of {figures['rows']:,} rows ({figures['size_mb']:.0f} MB): s, rows/s",
                         f"{figures['seconds']:.0f}", f"{rate:,.0f}", ""))
            rows.append(("CSV export: peak RSS MB, before the export", f"{figures['maxrss_mb']:.0f}",
                         f"{figures['baseline_mb']:.0f}", ""))
        say(f"export{' traced' if trace else ''}: done")
    return rows


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"migrate: {time.perf_counter() - started:.1f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    head = qms_head()
    filling = []
    if Complaint.objects.exists():
        say("reusing the filled database")
    else:
        filling = fill(head)
    cards = Complaint.objects.count()
    say(f"{connection.vendor}: {cards:,} cards")
    if OPTIONS.only:
        table = charts(head) if OPTIONS.only == "charts" else dashboards(head)
    else:
        table = charts(head) + dashboards(head) + board_pdf(head) + yearly(head) + export(VAR_DIR)

    say()
    say(f"{connection.vendor}, {cards:,} cards, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if filling:
        width = max(len(row[0]) for row in filling)
        say(f"{'filling':<{width}}  {'s':>6}  {'rows/s':>9}")
        for label, seconds, rate in filling:
            say(f"{label:<{width}}  {seconds:>6}  {rate:>9}")
        say()
    width = max(len(row[0]) for row in table)
    say(f"{'figure':<{width}}  {'ms':>6}  {'ms':>6}  queries")
    for label, one, two, queries in table:
        say(f"{label:<{width}}  {one:>6}  {two:>6}  {queries:>7}")


if OPTIONS.export_in:
    export_measure()
else:
    try:
        main()
    finally:
        if not OPTIONS.reuse:
            shutil.rmtree(VAR_DIR, ignore_errors=True)
