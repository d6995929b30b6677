"""Benchmark, run by hand: the supplier scorecard page's render time (issue 15, target p95 < 300 ms at
1,000,000 cards).

  .venv/bin/python bench/capa_scorecard.py --cards 200000        # fills a fresh SQLite database itself
  DATABASE_URL=... .venv/bin/python bench/capa_scorecard.py      # a database already filled (bench/capa.py)

Filling: --cards cards over 5 years, 200 suppliers with a component each, every cause kind, a third
justified or partly, a few duplicates and withdrawn; per supplier two open nonconformities with
actions and a grant of compensation on some cards. Then, as the head of the QMS, --requests GETs of the
busiest supplier's scorecard (one warm-up first) and of the suppliers list: p50, p95, max and queries.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=0, help="fill a fresh SQLite database with this many cards")
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--kind", default="year", choices=["year", "quarter", "month"])
    return parser.parse_args()


ARGS = arguments()
if ARGS.cards or not os.environ.get("DATABASE_URL"):
    os.environ.pop("DATABASE_URL", None)
    os.environ["AMENDS_VAR_DIR"] = tempfile.mkdtemp(prefix="amends-bench-")
    ARGS.cards = ARGS.cards or 100_000
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.answers.choices import GrantStatus  # noqa: E402
from amends.answers.models import CompensationGrant, CompensationOption  # noqa: E402
from amends.capa.models import Action, Nonconformity  # noqa: E402
from amends.complaints.choices import Channel, Justification, State  # noqa: E402
from amends.complaints.models import Cause, Complaint, new_tracking_code  # noqa: E402
from amends.customers.models import Component, Product, Supplier  # noqa: E402


def say(text: str = "") -> None:
    print(text, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def user(name: str, role: str) -> User:
    found = User.objects.filter(username=name).first()
    if found is None:
        found = User.objects.create_user(username=name, password=f"bench-{name}")
        found.groups.set(Group.objects.filter(name=role))
    return found


def fill(count: int, supplier_count: int, rng: random.Random) -> None:
    """`count` cards in bulk over the last five years, as scale.py fills them."""
    call_command("migrate", verbosity=0)
    operator, qms = user("bench-operator", Role.OPERATOR), user("bench-qms", Role.QMS_HEAD)
    product = Product.objects.create(name="Изделие")
    suppliers = Supplier.objects.bulk_create(Supplier(name=f"Поставщик {n:03d}") for n in range(supplier_count))
    components = Component.objects.bulk_create(
        Component(name=f"Деталь {n:03d}", product=product, supplier=s) for n, s in enumerate(suppliers)
    )
    causes = list(Cause.objects.all())
    justifications = [Justification.JUSTIFIED, Justification.PARTLY, Justification.UNJUSTIFIED, ""]
    states = [State.CLOSED] * 17 + [State.INVESTIGATING, State.DUPLICATE, State.WITHDRAWN]
    now = timezone.now()
    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    template = Complaint(number="", received_at=now, channel=Channel.PHONE, wording="", registered_by=operator)
    constant = [f.get_db_prep_save(f.pre_save(template, True), connection=connection) for f in fields]
    column = {f.attname: i for i, f in enumerate(fields)}
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Complaint._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    started, span = time.perf_counter(), 5 * 365 * 86400
    for start in range(0, count, 50_000):
        rows = []
        for i in range(start, min(count, start + 50_000)):
            row = constant.copy()
            part = rng.choice(components)
            for name, value in (
                ("number", f"1990-{i + 1:07d}"), ("tracking_code", new_tracking_code()),
                ("received_at", connection.ops.adapt_datetimefield_value(
                    now - timedelta(seconds=(count - i) * span / count))),
                ("state", rng.choice(states)), ("wording", "Аккумулятор не держит заряд"),
                ("justification", rng.choice(justifications)), ("cause_id", rng.choice(causes).pk),
                ("component_id", part.pk), ("product_id", product.pk),
                ("supplier_id", part.supplier_id if rng.random() < 0.3 else None),
            ):
                row[column[name]] = value
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    say(f"filled {count} cards, {supplier_count} suppliers in {time.perf_counter() - started:.0f} s")
    option = CompensationOption.objects.filter(is_active=True).first()
    recent = list(Complaint.objects.filter(received_at__gte=now - timedelta(days=365)).values_list("pk", flat=True)
                  .order_by("?")[:2000])
    CompensationGrant.objects.bulk_create(
        CompensationGrant(complaint_id=pk, option=option, value=Decimal(rng.randrange(100, 5000)), method="—",
                          due_date=date.today(), status=GrantStatus.APPROVED, granted_by=qms)
        for pk in recent
    )
    for n, supplier in enumerate(suppliers):
        for k in range(2):
            record = Nonconformity.objects.create(number=f"B-NC-{n:03d}-{k}", title="Брак", supplier=supplier,
                                                  owner=qms, opened_by=qms)
            Action.objects.bulk_create(
                Action(nonconformity=record, description="Входной контроль", owner=qms,
                       due_date=date.today() + timedelta(days=30), check_on=date.today() + timedelta(days=120))
                for _ in range(2)
            )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(client: Client, url: str, requests: int) -> tuple[list[float], int]:
    client.get(url)  # warm: translations, templates, the policy table
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


def report(label: str, times: list[float], queries: int) -> None:
    say(f"{label}: p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
        f"max {max(times):.0f} ms over {len(times)} requests, {queries} queries")


def main() -> None:
    if ARGS.cards:
        fill(ARGS.cards, ARGS.suppliers, random.Random(15))
    cards = Complaint.objects.count()
    top = Complaint.objects.filter(component__supplier__merged_into__isnull=True).values(
        "component__supplier",
    ).annotate(n=Count("pk")).order_by("-n").first()
    busiest = Supplier.objects.filter(pk=top["component__supplier"]).first() if top else None
    if busiest is None:
        raise SystemExit("no supplier in the database")
    say(f"{connection.vendor}, {cards} cards, {Supplier.objects.count()} suppliers; "
        f"scorecard of {busiest.name} (period: {ARGS.kind})")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user("bench-qms", Role.QMS_HEAD))
    report("scorecard page", *timed(client, f"/capa/suppliers/{busiest.pk}/?kind={ARGS.kind}", ARGS.requests))
    report("suppliers list", *timed(client, f"/capa/suppliers/?kind={ARGS.kind}", max(10, ARGS.requests // 5)))


main()
