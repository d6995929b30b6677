"""Benchmark, run by hand: `.venv/bin/python bench/scale.py --cards 100000 [--load]`.

Registration as the card table grows (issue 12, item 1), on a fresh SQLite database in a
temporary folder, or in --var-dir, kept for other runs (production settings):
  (1) fill --cards cards in bulk: wordings made of sentences of the real complaints in
      ../shared/data (AMENDS_SHARED_DATA), a third of them filled-in templates, so that some band
      keys are shared by many cards as in a live table; most closed, spread over two years;
      (--reuse: only the cards missing from --var-dir's database);
  (2) `duplicates_index` over them (what `make run` does at every start): seconds and cards/s;
  (3) the worker's CPU per registered card, per channel: --per-channel complaints posted to the
      API and to the public form, and e-mails through `mailgate`, then the worker's passes that
      register them and run their follow-up jobs, timed by process CPU time;
  (4) with --load: the server and a worker started as `make run` does (bench/intake.py), API and
      form together taking --rate complaints a second for --seconds, and the time from each stored
      submission (its 201 or 302) to its card: p50, p95, max.
Runs on whatever code is beside it, so the same script measures a tree before a change.
"""

import argparse
import io
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--per-channel", type=int, default=100)
    parser.add_argument("--load", action="store_true", help="also (4), the server under --rate for --seconds")
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--wait", type=float, default=600, help="seconds to wait for the cards after the load")
    parser.add_argument("--database", type=Path, help="start from a copy of this filled SQLite file (e.g. to "
                        "measure other code on the same cards): (1) is skipped, (2) signs what it finds unsigned")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--var-dir", type=Path, help="use and keep this folder instead of a temporary one")
    parser.add_argument("--reuse", action="store_true", help="with --var-dir, keep the cards it already holds and "
                        "add only those missing up to --cards; (2) then signs the cards not signed yet")
    return parser.parse_args()


# Parsed before Django starts: the folder decides which database it opens.
OPTIONS = arguments()
if OPTIONS.var_dir:
    OPTIONS.var_dir.mkdir(parents=True, exist_ok=True)
    if not OPTIONS.reuse and (OPTIONS.var_dir / "amends.sqlite3").exists():
        raise SystemExit(f"{OPTIONS.var_dir} already holds a database: add --reuse, or remove it")
VAR_DIR = str(OPTIONS.var_dir.resolve()) if OPTIONS.var_dir else tempfile.mkdtemp(prefix="amends-bench-scale-")
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": VAR_DIR,
    "MEDIA_ROOT": str(Path(VAR_DIR) / "media"), "DEBUG": "0", "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1", "AMENDS_WEB_FORM_RATE": "off",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}
os.environ.update(ENV)
os.environ.pop("DATABASE_URL", None)  # always its own SQLite file

import django  # noqa: E402

django.setup()

import duplicates_evaluation as evaluation  # noqa: E402 - bench/duplicates_evaluation.py
import intake  # noqa: E402 - bench/intake.py: server start and load clients
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.complaints.choices import Channel, State  # noqa: E402
from amends.complaints.models import Complaint, NumberSequence, new_tracking_code  # noqa: E402
from amends.customers.models import Contact, phone_digits  # noqa: E402
from amends.duplicates.models import TextSignature  # noqa: E402
from amends.intake.models import InboundMessage, OutboundMessage  # noqa: E402
from amends.jobs.worker import AmendsWorker  # noqa: E402

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def say(text: str = "") -> None:
    print(text, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Wordings:
    """New wordings from the sentences of real complaints; a third are templates filled in."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        texts = [t for name in evaluation.DATASETS if evaluation.data_available(name)
                 for t in evaluation.load_texts(name)]
        if not texts:
            raise SystemExit(f"no data in {evaluation.DATA_DIR} (set AMENDS_SHARED_DATA)")
        self.sentences = [s for t in texts for s in _SENTENCE.split(t) if len(s) > 20]
        self.templates = rng.sample([t for t in texts if 200 < len(t) < 2000], 300)

    def __call__(self) -> str:
        rng = self.rng
        if rng.random() < 1 / 3:
            return f"{rng.choice(self.templates)} Order {rng.randrange(10**6)}."
        return " ".join(rng.choice(self.sentences) for _ in range(rng.randint(2, 5)))


def fill(count: int, wordings: Wordings, rng: random.Random) -> User:
    """Add cards up to `count` (all of them in a new folder)."""
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    operator = User.objects.filter(username="operator").first()
    if operator is None:
        operator = User.objects.create_user(username="operator", password="bench-operator")
        operator.groups.set(Group.objects.filter(name=Role.OPERATOR))
    contacts = list(Contact.objects.filter(full_name__startswith="Customer ")[:5000]) or Contact.objects.bulk_create([
        Contact(full_name=f"Customer {i}", phone=f"+7 900 {i:07d}", phone_digits=phone_digits(f"+7900{i:07d}"),
                email=f"customer{i}@example.com")
        for i in range(5000)
    ])
    now = timezone.now()
    channels = [c for c in Channel.values if c != Channel.INTERNAL]
    states = [State.CLOSED] * 8 + [State.REGISTERED, State.INVESTIGATING]
    year = timezone.localtime(now).year
    # Rows made from one card's column values, as bulk_create's per-field preparation costs more than
    # the insert; large transactions, as nothing else writes meanwhile.
    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    template = Complaint(number="", received_at=now, channel=channels[0], wording="", registered_by=operator)
    constant = [f.get_db_prep_save(f.pre_save(template, True), connection=connection) for f in fields]
    column = {f.attname: i for i, f in enumerate(fields)}
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Complaint._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    have, batch = Complaint.objects.count(), 50_000
    started = time.perf_counter()
    for start in range(have, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            row = constant.copy()
            for name, value in (
                ("number", f"F{year}-{i + 1:07d}"), ("tracking_code", new_tracking_code()),
                ("received_at", connection.ops.adapt_datetimefield_value(
                    now - timedelta(seconds=(count - i) * 730 * 86400 / count))),
                ("channel", rng.choice(channels)), ("state", rng.choice(states)),
                ("contact_id", rng.choice(contacts).pk), ("wording", wordings()),
            ):
                row[column[name]] = value
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    NumberSequence.objects.get_or_create(year=year, defaults={"last": 0})  # kept with --reuse: numbers given
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the fill's log copied now, not in (2)'s time
    say(f"(1) {max(0, count - have)} cards added in bulk to {have} in {time.perf_counter() - started:.0f} s")
    return operator


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def index() -> None:
    started, cpu, signed = time.perf_counter(), cpu_seconds(), TextSignature.objects.count()
    out = io.StringIO()
    attempts = 0
    while attempts < 100:
        attempts += 1
        try:
            call_command("duplicates_index", stdout=out)
            break
        except OperationalError as error:  # as `make run` would fail; started again, it continues
            connection.close()
            say(f"    duplicates_index failed ({error}) after {time.perf_counter() - started:.0f} s, "
                f"{TextSignature.objects.count()} cards signed; started again")
    elapsed, signed = time.perf_counter() - started, TextSignature.objects.count() - signed
    say(f"(2) duplicates_index: {out.getvalue().strip()} in {elapsed:.0f} s, {cpu_seconds() - cpu:.0f} s CPU, "
        f"{attempts} start(s) ({signed / elapsed:.0f} cards/s)")
    if signed:  # a reused database keeps its statistics (ANALYZE takes minutes at 1,000,000 cards)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database keeps them


def worker_cpu(label: str, submit, count: int) -> None:
    """Submit `count` complaints, then run the worker until it owes nothing: its CPU per new card."""
    before = Complaint.objects.count()
    submit_cpu = cpu_seconds()
    submit(count)
    submit_cpu = cpu_seconds() - submit_cpu
    worker, cpu = AmendsWorker(interval=0), cpu_seconds()
    for _ in range(20):
        worker.tick()
        if not InboundMessage.objects.filter(status__in=["queued", "received"]).exists():
            break
    cpu = cpu_seconds() - cpu
    cards = Complaint.objects.count() - before
    say(f"    {label}: {cards} of {count} registered; worker CPU {cpu / max(cards, 1) * 1000:.1f} ms a card "
        f"(the request or mailgate before it: {submit_cpu / count * 1000:.1f} ms)")


def channels(wordings: Wordings, per_channel: int, operator: User) -> None:
    say(f"(3) worker CPU per registered card at {Complaint.objects.count()} cards:")
    token = Token.objects.get_or_create(user=operator)[0].key
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def post_api(count: int) -> None:
        for i in range(count):
            response = api.post("/api/v1/complaints/", {
                "channel": "email", "text": wordings(),
                "customer": {"name": f"API customer {i}", "email": f"api{i}@example.ru"},
            }, content_type="application/json")
            assert response.status_code == 201, response.status_code

    form = Client()
    page = form.get("/complain/?lang=ru").content.decode()
    consent = 'name="consent"' in page

    def post_form(count: int) -> None:
        for i in range(count):
            fields = {"name": f"Visitor {i}", "email": f"visitor{i}@example.ru", "text": wordings()}
            if consent:
                fields["consent"] = "on"
            response = form.post("/complain/", fields)
            assert response.status_code == 302, response.status_code

    def mail(count: int) -> None:
        for i in range(count):
            message = EmailMessage()
            message["From"], message["To"] = f"Writer {i} <writer{i}@example.ru>", "complaints@example.com"
            message["Subject"], message["Message-ID"] = "Complaint", f"<scale-{i}-{time.time_ns()}@example.ru>"
            message.set_content(wordings())
            with open(os.devnull, "w") as devnull:
                call_command("mailgate", stdin=io.BytesIO(message.as_bytes()), stderr=devnull)

    # mailgate registers the card itself: its CPU is counted with the worker's follow-up jobs.
    worker_cpu("API", post_api, per_channel)
    worker_cpu("web form", post_form, per_channel)
    started = cpu_seconds()
    before = Complaint.objects.count()
    mail(per_channel)
    worker = AmendsWorker(interval=0)
    worker.tick()
    cards = Complaint.objects.count() - before
    say(f"    e-mail: {cards} of {per_channel} registered; mailgate and worker CPU "
        f"{(cpu_seconds() - started) / max(cards, 1) * 1000:.1f} ms a card")


def load(rate: float, seconds: float, operator: User, wait: float) -> None:
    """API and form together at `rate` a second, server and worker as `make run` starts them."""
    token = Token.objects.get_or_create(user=operator)[0].key
    env = {**os.environ, **ENV}
    connection.close()
    port = intake.free_port()
    server = intake.start_server(env, port)
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        intake.Load(port, 3, 4, intake.api_client(token)).run()  # warm-up: imports, connections
        intake.Load(port, 3, 4, intake.form_client).run()
        after = InboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # Half the rate to each path.
        statuses, elapsed = intake.paced_load(port, [intake.api_client(token), intake.form_client], 8, rate, seconds)
        accepted = statuses.get(201, 0) + statuses.get(302, 0)
        say(f"(4) load: {accepted / elapsed:.0f} complaints/s accepted over {elapsed:.0f} s (target {rate:.0f}/s); "
            f"answers {dict(sorted(statuses.items()))}")
        waited = time.monotonic()
        while (InboundMessage.objects.filter(pk__gt=after, status__in=["queued", "received"]).exists()
               and time.monotonic() - waited < wait):
            time.sleep(1)
        stored = dict(InboundMessage.objects.filter(pk__gt=after).values_list("number", "received_at"))
        cards = dict(Complaint.objects.filter(number__in=stored).values_list("number", "created_at"))
        delays = [(cards[n] - at).total_seconds() for n, at in stored.items() if n in cards]
        missing = len(stored) - len(delays)
        if delays:
            say(f"    submission stored to card: p50 {percentile(delays, 0.5):.2f} s, "
                f"p95 {percentile(delays, 0.95):.2f} s, max {max(delays):.2f} s over {len(delays)} cards"
                f"{f'; {missing} without a card {wait:.0f} s after the load' if missing else ''}")
        # The follow-up jobs (duplicate search, acknowledgement) wait while cards are registered.
        follow_ups = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        while follow_ups.exists() and time.monotonic() - waited < wait:
            time.sleep(1)
        acknowledged = OutboundMessage.objects.filter(purpose="acknowledgement", complaint__number__in=cards)
        acks = [(sent - cards[n]).total_seconds()
                for n, sent in acknowledged.exclude(sent_at=None).values_list("complaint__number", "sent_at")]
        if acks:
            say(f"    card to acknowledgement sent (web form): p50 {percentile(acks, 0.5):.2f} s, "
                f"p95 {percentile(acks, 0.95):.2f} s, max {max(acks):.2f} s over {len(acks)} mails")
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    options = OPTIONS
    rng = random.Random(7)
    say(f"Amends scale bench on SQLite, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; code in {ROOT}")
    try:
        wordings = Wordings(rng)
        if options.database:
            source = sqlite3.connect(options.database)
            with sqlite3.connect(connection.settings_dict["NAME"]) as copy:
                source.backup(copy)
            source.close()
            call_command("migrate", verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            operator = User.objects.get(username="operator")
        else:
            operator = fill(options.cards, wordings, rng)
        index()
        if options.per_channel:
            channels(wordings, options.per_channel, operator)
        if options.load:
            load(options.rate, options.seconds, operator, options.wait)
    finally:
        connection.close()
        if options.keep or options.var_dir:
            say(f"Kept {VAR_DIR}")
        else:
            shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
