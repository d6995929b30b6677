"""Benchmark, run by hand: `.venv/bin/python bench/register.py`.

On a fresh SQLite database in a temporary folder (production settings, config.settings.base):
migrate, collect static files, load the demo, then
  (a) register complaints one by one through complaint_register, the service the UI uses,
      each in its own transaction, and print registrations per second;
  (b) add many more valid cards (copies of the demo's cards, with their timelines and
      measures, under new numbers and dates), then render the complaint list and a card as the
      head of the QMS and print the median and 95th percentile in milliseconds and the number
      of SQL queries per page.
A page whose URL does not exist yet is reported as missing; the rest still runs.
"""

import argparse
import copy
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["MEDIA_ROOT"] = str(Path(VAR_DIR) / "media")
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
os.environ.pop("DATABASE_URL", None)  # always its own SQLite file
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.complaints.choices import Channel, Importance  # noqa: E402
from amends.complaints.models import (  # noqa: E402
    Category,
    Complaint,
    Measure,
    NumberSequence,
    TimelineEvent,
    new_tracking_code,
)
from amends.complaints.services import complaint_register  # noqa: E402
from amends.customers.models import Contact, Product  # noqa: E402
from amends.demo.company import PASSWORD  # noqa: E402
from amends.demo.load import load_demo  # noqa: E402
from amends.demo.plan import HISTORY_DAYS  # noqa: E402


def say(text: str = "") -> None:
    print(text, flush=True)


@contextmanager
def timed(label: str):
    started = time.perf_counter()
    yield
    say(f"  {label}: {time.perf_counter() - started:.1f} s")


def register(count: int, rng: random.Random) -> None:
    operator = User.objects.get(username="operator")
    contacts = list(Contact.objects.select_related("organisation"))
    products = list(Product.objects.all())
    categories = list(Category.objects.filter(parent__isnull=False))
    channels = [c for c in Channel.values if c != Channel.INTERNAL]
    wordings = list(Complaint.objects.values_list("wording", flat=True)[:200])
    started = time.perf_counter()
    for _ in range(count):
        complaint_register(
            actor=operator, channel=rng.choice(channels), wording=rng.choice(wordings),
            contact=rng.choice(contacts), product=rng.choice(products),
            category=rng.choice(categories), importance=rng.choice(Importance.values),
        )
    elapsed = time.perf_counter() - started
    say(f"(a) {count} registrations through complaint_register in {elapsed:.2f} s: "
        f"{count / elapsed:.0f} registrations/s ({elapsed / count * 1000:.1f} ms each)")


@contextmanager
def keep_timestamps(*models):
    """Let bulk_create keep the dates we give instead of stamping now (auto_now/_add)."""
    fields = [
        f for model in models for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


EVENT_COLUMNS = [
    "complaint_id", "created_at", "kind", "actor_id", "transition", "from_state", "to_state",
    "field", "old_value", "new_value", "text", "code", "reference", "attachment_id",
]
EVENT_INSERT = (
    f"INSERT INTO {TimelineEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"
)


def adapt(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def add_copies(count: int, templates: list[int], rng: random.Random) -> None:
    """Add `count` valid cards: copies of demo cards with their timelines, moved in time."""
    now = timezone.now()
    cards = {c.pk: c for c in Complaint.objects.filter(pk__in=templates)}
    events, measures = defaultdict(list), defaultdict(list)
    for event in TimelineEvent.objects.filter(complaint_id__in=templates):
        events[event.complaint_id].append(event)
    for measure in Measure.objects.filter(complaint_id__in=templates):
        measures[measure.complaint_id].append(measure)
    last = {pk: max(e.created_at for e in events[pk]) for pk in cards}
    sequence = {s.year: s.last for s in NumberSequence.objects.all()}
    batch = 1000
    with transaction.atomic(), keep_timestamps(Complaint, TimelineEvent, Measure):
        for start in range(0, count, batch):
            sources, copies = [], []
            for _ in range(min(batch, count - start)):
                source = cards[rng.choice(templates)]
                span = last[source.pk] - source.received_at
                received = now - span - timedelta(
                    minutes=10, seconds=rng.uniform(0, HISTORY_DAYS * 86400))
                shift = received - source.received_at
                card = copy.copy(source)
                card.pk = card.id = None
                card._state = copy.copy(source._state)
                card._state.adding = True
                year = timezone.localtime(received).year
                sequence[year] = sequence.get(year, 0) + 1
                card.number = f"{year}-{sequence[year]:06d}"
                card.tracking_code = new_tracking_code()
                for name in ("received_at", "answered_at", "closed_at", "created_at",
                             "updated_at"):
                    value = getattr(card, name)
                    if value is not None:
                        setattr(card, name, value + shift)
                if card.opinion_date:
                    card.opinion_date += timedelta(days=shift.days)
                sources.append((source, shift))
                copies.append(card)
            Complaint.objects.bulk_create(copies)
            new_events, new_measures = [], []
            for card, (source, shift) in zip(copies, sources, strict=True):
                for event in events[source.pk]:
                    new_events.append(
                        (card.pk, adapt(event.created_at + shift))
                        + tuple(getattr(event, column) for column in EVENT_COLUMNS[2:])
                    )
                for measure in measures[source.pk]:
                    clone = copy.copy(measure)
                    clone.pk = clone.id = None
                    clone._state = copy.copy(measure._state)
                    clone._state.adding = True
                    clone.complaint_id = card.pk
                    clone.due_date += timedelta(days=shift.days)
                    for name in ("created_at", "updated_at", "approved_at", "done_at"):
                        value = getattr(clone, name)
                        if value is not None:
                            setattr(clone, name, value + shift)
                    new_measures.append(clone)
            with connection.cursor() as cursor:  # raw: the ORM's bulk_create is 5x slower here
                cursor.executemany(EVENT_INSERT, new_events)
            Measure.objects.bulk_create(new_measures, batch_size=2000)
        for year, value in sequence.items():
            NumberSequence.objects.update_or_create(year=year, defaults={"last": value})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def render(client: Client, label: str, url_name: str, args: tuple, times: int) -> None:
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        say(f"  {label}: page missing (no URL named {url_name!r} yet)")
        return
    response = client.get(url)  # warm-up, and check it works
    if response.status_code != 200:
        say(f"  {label} {url}: HTTP {response.status_code}, not measured")
        return
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    say(f"  {label} {url}: median {statistics.median(durations):.1f} ms, "
        f"p95 {percentile(durations, 0.95):.1f} ms, {len(queries)} SQL queries, "
        f"{len(response.content) // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--extra", type=int, default=10_000)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    rng = random.Random(7)
    say(f"Amends bench — Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say(f"Database: {connection.settings_dict['NAME']}")
    try:
        with timed("migrate"):
            call_command("migrate", verbosity=0)
        with timed("collectstatic"):
            call_command("collectstatic", interactive=False, verbosity=0)
        result = load_demo()
        say("  " + result.summary().replace("\n", "\n  "))
        templates = list(Complaint.objects.values_list("pk", flat=True))

        register(options.registrations, rng)

        started = time.perf_counter()
        add_copies(options.extra, templates, rng)
        say(f"(b) added {options.extra} cards in bulk in {time.perf_counter() - started:.1f} s; "
            f"now {Complaint.objects.count()} complaints, "
            f"{TimelineEvent.objects.count()} timeline events, {Measure.objects.count()} measures")
        client = Client()
        # Through the login page: the lockout's backend needs the request that Client.login() does not pass.
        if client.post(reverse("login"), {"username": "qms", "password": PASSWORD}).status_code != 302:
            raise SystemExit("Could not log in as qms.")
        card = (Complaint.objects.filter(pk__in=templates, state="closed")
                .order_by("-version").first())
        say(f"Pages as qms, {options.renders} renders each:")
        render(client, "list", "complaints:list", (), options.renders)
        render(client, "card", "complaints:detail", (card.number,), options.renders)
    finally:
        connection.close()
        if options.keep:
            say(f"Kept {VAR_DIR}")
        else:
            shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
