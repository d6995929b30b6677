"""Benchmark, run by hand: `.venv/bin/python bench/search.py [--cards 1000000] [--reuse DIR]`, and on
PostgreSQL `scripts/with-postgres .venv/bin/python bench/search.py`.

Full-text search at a million cards (docs/search.md), with production settings:
  (1) fill --cards cards in bulk over five years: wordings made of sentences of real complaints in
      Russian and English (../shared/data, AMENDS_SHARED_DATA), a third of them whole complaints;
      a customer each (Russian and English names, e-mail, phone; a quarter as many customers as
      cards); every fifth card with a message from the customer and a reply on its timeline
      (--reuse DIR: SQLite kept in DIR, filled once);
  (2) `search_index --all` over them: seconds and cards per second;
  (3) each kind of query (a common word, a rare word, two words, a customer's name, a card number,
      an e-mail, a phone), --queries of each, timed --rounds times through the search service,
      the card list page (`/complaints/?q=`) and the API (`/api/v1/complaints/?q=`): the p95 of each
      round, its best and median, with the load average beside it;
  (4) what indexing costs a registration: one card's document written in its transaction.
Runs on whatever code is beside it, so the same script measures a tree before a change.
"""

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench.common import (  # noqa: E402
    analyze,
    bulk_insert,
    environment,
    indexes_dropped,
    median,
    percentile,
    qms_head,
    say,
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=20, help="queries of each kind")
    parser.add_argument("--rounds", type=int, default=3, help="times each kind is timed")
    parser.add_argument("--reuse", metavar="DIR", help="SQLite: keep the database in DIR, reuse it if filled")
    return parser.parse_args()


OPTIONS = arguments()
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
VAR_DIR = environment("amends-bench-search-", var_dir=OPTIONS.reuse, own_sqlite=not POSTGRES_URL)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The pages' {% static %} without collecting the files first.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}}

import duplicates_evaluation as evaluation  # noqa: E402 - bench/duplicates_evaluation.py: the real texts
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from amends.complaints import search_index  # noqa: E402
from amends.complaints.choices import Channel, EventKind, State  # noqa: E402
from amends.complaints.models import Complaint, TimelineEvent  # noqa: E402
from amends.complaints.search_index import complaints_index, complaints_matching  # noqa: E402
from amends.customers.models import Contact, phone_digits  # noqa: E402
from amends.search.indexes import COMPLAINTS  # noqa: E402
from amends.search.rebuild import FILLERS  # noqa: E402
from amends.search.text import words  # noqa: E402

YEARS = 5
SENTENCE = re.compile(r"(?<=[.!?])\s+")
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов"]
FIRST_NAMES = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Иван", "Ольга", "Анна",
               "Елена", "Наталья", "Мария", "Татьяна", "Ирина", "Юлия", "Светлана"]
ENGLISH = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark"]
ENGLISH_FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Susan"]
REPLIES = [
    "Здравствуйте! Ваше обращение передано ответственному сотруднику, мы свяжемся с вами в течение трёх дней.",
    "Просим прислать фотографию чека и серийный номер изделия.",
    "Hello, we are sorry for the inconvenience. Please send us a photo of the receipt and the order number.",
    "Your refund has been approved and will reach your account within five working days.",
]


class Texts:
    """Wordings and customers' messages from the sentences of real complaints."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        texts = [t for name in evaluation.DATASETS if evaluation.data_available(name)
                 for t in evaluation.load_texts(name)]
        if not texts:
            raise SystemExit(f"no data in {evaluation.DATA_DIR} (set AMENDS_SHARED_DATA)")
        self.sentences = [s for t in texts for s in SENTENCE.split(t) if len(s) > 20]
        self.whole = [t for t in texts if 200 < len(t) < 2000]

    def wording(self) -> str:
        rng = self.rng
        if rng.random() < 1 / 3:
            return rng.choice(self.whole)
        return " ".join(rng.choice(self.sentences) for _ in range(rng.randint(2, 5)))

    def message(self) -> str:
        return " ".join(self.rng.choice(self.sentences) for _ in range(self.rng.randint(1, 2)))


def customer(n: int) -> dict:
    rng = random.Random(n)
    if n % 4 == 3:
        name, login = f"{rng.choice(ENGLISH_FIRST)} {rng.choice(ENGLISH)}", f"user{n}"
    else:
        surname, first = rng.choice(SURNAMES), rng.choice(FIRST_NAMES)
        female = first[-1] == "а" or first in ("Ольга", "Юлия", "Светлана")
        name, login = f"{surname}{'а' if female else ''} {first}", f"client{n}"
    phone = f"+7 9{n:09d}"
    return {"full_name": name, "email": f"{login}@example.ru", "phone": phone, "phone_digits": phone_digits(phone)}


def fill(count: int, texts: Texts) -> None:
    call_command("migrate", verbosity=0)
    if Complaint.objects.exists():
        say(f"(1) reusing the {Complaint.objects.count():,} cards in {VAR_DIR}")
        return
    rng = texts.rng
    started = time.perf_counter()
    contacts = max(1, count // 4)
    with indexes_dropped(Contact):
        bulk_insert(Contact, Contact(full_name=""), (customer(n) for n in range(contacts)))
    first_contact = Contact.objects.order_by("pk").values_list("pk", flat=True).first()
    now = timezone.now()
    start = now - timedelta(days=365 * YEARS)
    channels = [c for c in Channel.values if c != Channel.INTERNAL]
    moment = (lambda m: m) if connection.vendor == "postgresql" else (lambda m: str(m.replace(tzinfo=None)))

    def cards():
        for i in range(count):
            received = start + (now - start) * (i / count)
            yield {
                "number": f"{received.year}-{i + 1:07d}", "tracking_code": f"search{i}",
                "received_at": moment(received), "channel": rng.choice(channels),
                "state": State.CLOSED if rng.random() < 0.9 else State.REGISTERED,
                "contact_id": first_contact + rng.randrange(contacts), "wording": texts.wording(),
            }

    with indexes_dropped(Complaint):
        bulk_insert(Complaint, Complaint(number="", received_at=now, channel=Channel.EMAIL, wording=""), cards())
    first_card = Complaint.objects.order_by("pk").values_list("pk", flat=True).first()

    def messages():
        for i in range(0, count, 5):
            yield {"complaint_id": first_card + i, "kind": EventKind.MESSAGE_IN, "text": texts.message()}
            yield {"complaint_id": first_card + i, "kind": EventKind.MESSAGE_OUT, "text": rng.choice(REPLIES)}

    with indexes_dropped(TimelineEvent):
        events = bulk_insert(TimelineEvent, TimelineEvent(kind=EventKind.MESSAGE_IN, text=""), messages())
    analyze()
    say(f"(1) {count:,} cards, {contacts:,} customers and {events:,} messages in {time.perf_counter() - started:.0f} s")


def index(indexed: int) -> None:
    """The whole index made; on PostgreSQL its GIN index built once at the end, as for a bulk load."""
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {COMPLAINTS.table}")  # a first fill: nothing to replace
            cursor.execute(f"DROP INDEX {COMPLAINTS.table}_document")
    # A run cut short goes on with the cards still missing. The cards' index only: the contacts'
    # is filled after the timing.
    FILLERS["complaints"].fill(not indexed, None)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(COMPLAINTS.create_sql("postgresql")[1])
            cursor.execute(f"ANALYZE {COMPLAINTS.table}")
    elapsed = time.perf_counter() - started
    cards = Complaint.objects.count()
    written = cards - indexed
    say(f"(2) search_index{'' if indexed else ' --all'}: {written:,} cards in {elapsed:.0f} s, "
        f"{written / elapsed:,.0f} cards/s, load {load()}")
    started = time.perf_counter()
    customers = FILLERS["contacts"].fill(not indexed, None)
    say(f"    the contacts' index: {customers:,} contacts in {time.perf_counter() - started:.0f} s")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def queries(texts: Texts) -> dict[str, list[str]]:
    """Queries of each kind, drawn from the cards themselves."""
    rng = random.Random(7)
    last = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first()
    sample = list(Complaint.objects.filter(pk__in=rng.sample(range(1, last + 1), min(last, 3000)))
                  .values_list("wording", "number", "contact_id"))
    frequency = Counter(w for wording, _n, _c in sample for w in set(words(wording)) if len(w) >= 5 and w.isalpha())
    common = [w for w, _ in frequency.most_common(OPTIONS.queries)]
    rare = rng.sample([w for w, n in frequency.items() if n == 1 and len(w) >= 7], OPTIONS.queries)
    pairs = []
    for wording, _n, _c in rng.sample(sample, OPTIONS.queries):
        found = [w for w in words(wording) if len(w) >= 5 and w.isalpha()] or ["доставка", "заказ"]
        first = rng.randrange(len(found))
        pairs.append(" ".join(found[first:first + 2]))
    contacts = Contact.objects.filter(pk__in=[c for _w, _n, c in rng.sample(sample, OPTIONS.queries)])
    chosen = list(contacts.values_list("full_name", "email", "phone"))
    return {
        "common word": common, "rare word": rare, "two words": pairs,
        "customer name": [name for name, _e, _p in chosen],
        "card number": [number for _w, number, _c in rng.sample(sample, OPTIONS.queries)],
        "e-mail": [email for _n, email, _p in chosen], "phone": [phone for _n, _e, phone in chosen],
    }


def timed(run, query: str) -> float:
    started = time.perf_counter()
    run(query)
    return (time.perf_counter() - started) * 1000


def measure(kinds: dict[str, list[str]]) -> None:
    head = qms_head()
    page, api = Client(), APIClient()
    page.force_login(head)
    api.force_authenticate(head)

    def listed(query: str) -> None:
        assert page.get("/complaints/", {"q": query}).status_code == 200

    def served(query: str) -> None:
        assert api.get("/api/v1/complaints/", {"q": query}).status_code == 200

    def matched(query: str) -> None:
        search_index._RECENT.clear()  # the same query again within seconds is answered from memory
        complaints_matching(query, limit=50)

    paths = {"service": matched, "list page": listed, "API": served}
    say(f"(3) p95 in ms of {OPTIONS.queries} queries a kind, {OPTIONS.rounds} rounds: best / median "
        f"[load average 1/5/15 min]; matches: the median number of cards found (ranked: at most "
        f"{settings.AMENDS_SEARCH_RESULTS})")
    say(f"{'kind':<14} {'matches':>8} " + " ".join(f"{name:>26}" for name in paths))
    for kind, asked in kinds.items():
        matches = median([len(complaints_matching(q, limit=settings.AMENDS_SEARCH_RESULTS)) for q in asked])
        cells = []
        for run in paths.values():
            for q in asked[:3]:  # warm-up: templates, translations, the pages of the index
                run(q)
            rounds = [percentile([timed(run, q) for q in asked], 0.95) for _ in range(OPTIONS.rounds)]
            cells.append(f"{min(rounds):>7.1f} / {median(rounds):>6.1f} [{load()}]")
        say(f"{kind:<14} {matches:>8.0f} " + " ".join(f"{cell:>26}" for cell in cells))


def registration_cost() -> None:
    """One card's document written in a transaction, as the registration's receiver does."""
    rng = random.Random(3)
    ids = list(Complaint.objects.filter(pk__in=rng.sample(range(1, Complaint.objects.count()), 200))
               .values_list("pk", flat=True))
    times = []
    for pk in ids:
        started = time.perf_counter()
        with transaction.atomic():
            complaints_index([pk])
        times.append((time.perf_counter() - started) * 1000)
    say(f"(4) one card indexed in its own transaction (commit included): median {median(times):.2f} ms, "
        f"p95 {percentile(times, 0.95):.2f} ms over {len(ids)} cards [load {load()}]")


def main() -> None:
    say(f"search at {OPTIONS.cards:,} cards on {connection.vendor} ({VAR_DIR}), {os.cpu_count()} CPUs")
    texts = Texts(random.Random(1))
    fill(OPTIONS.cards, texts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {COMPLAINTS.table}")
        indexed = cursor.fetchone()[0]
    if indexed < Complaint.objects.count():
        index(indexed)
    else:
        say("(2) the index of the reused database is kept (run `search_index --all` to time it)")
    measure(queries(texts))
    registration_cost()


if __name__ == "__main__":
    main()
