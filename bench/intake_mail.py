"""Benchmark, run by hand: `.venv/bin/python bench/intake_mail.py [--count 1000]`.

E-mail intake throughput (issue 3, figures (b)): generated mail in mixed charsets (UTF-8,
KOI8-R, Windows-1251 labelled and mislabelled, HTML-only, small attachments, replies to earlier
messages, a few auto-replies and broken messages), on a fresh database:
  (0) the parser alone, for scale;
  (1) in-process through the `mailgate` command's code (call_command, no new process), which stores
      each message for the worker; then the worker (AmendsWorker, in this process) registers them,
      with the acknowledgements going to a real SMTP server on 127.0.0.1 (aiosmtpd in its own process);
  (2) a handful through the real `amends mailgate` process, the way an MTA pipe runs it,
      to show the cost of starting Django in a process per message;
  (2b) the same number through `amends mailgate --url`, which relays each message to the app
      (scripts/serve, as `make run` starts it) without starting Django, several pipes at once
      as an MTA runs them;
  (3) through IMAP: the same number of messages appended to a throwaway Dovecot on 127.0.0.1,
      then one `poll_mail` pass (fetch, store, mark \\Seen).
Prints messages per second and checks that nothing was lost: every message stored, and every IMAP
message marked \\Seen. End to end, with the workers as processes: bench/mail_end_to_end.py.

SQLite by default (its own file in a temporary folder); with DATABASE_URL set it uses that
database instead, e.g. `scripts/with-postgres .venv/bin/python bench/intake_mail.py`.
"""

import argparse
import http.client
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-mail-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["MEDIA_ROOT"] = str(Path(VAR_DIR) / "media")
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from intake import start_server  # noqa: E402 - bench/intake.py, beside this script
from mail_corpus import generate, texts  # noqa: E402

from amends.complaints.models import Complaint  # noqa: E402
from amends.intake.channels.email.errors import MalformedEmail  # noqa: E402
from amends.intake.channels.email.imap import mailbox_poll  # noqa: E402
from amends.intake.channels.email.parser import parse_email  # noqa: E402
from amends.intake.models import InboundMessage, InboundStatus, Mailbox, OutboundMessage  # noqa: E402
from amends.intake.services import Ignored  # noqa: E402
from tests.harness.dovecot import Dovecot, dovecot_installed, free_port  # noqa: E402


def say(text: str = "") -> None:
    print(text, flush=True)


def outcome(source: str, after_pk: int = 0) -> Counter:
    stored = InboundMessage.objects.filter(source=source, pk__gt=after_pk)
    return Counter(stored.values_list("status", flat=True))


def check(source: str, expected: int, after_pk: int = 0) -> str:
    counts = outcome(source, after_pk)
    stored = sum(counts.values())
    lost = expected - stored + counts.get(InboundStatus.RECEIVED, 0)
    return (f"stored {stored}/{expected}; " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + f"; lost {lost}")


def smtp_sink() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def parse_only(messages: list[bytes]) -> None:
    started = time.perf_counter()
    for raw in messages:
        try:
            parse_email(raw)
        except (Ignored, MalformedEmail):
            pass
    elapsed = time.perf_counter() - started
    say(f"(0) the parser alone (bytes to IncomingEmail, no database): {len(messages) / elapsed:.0f} msg/s "
        f"({elapsed / len(messages) * 1000:.2f} ms each)")


@contextmanager
def timing(spent: Counter):
    """Add up the time spent in each step of the pipeline (module attributes wrapped for the run)."""
    from amends.duplicates import services as duplicates
    from amends.intake import acknowledge, services
    from amends.intake.channels.email import services as email

    steps = [(email, "parse_stored", "parse the e-mail, find its thread"),
             (services, "inbound_accept", "register or thread (complaint services)"),
             (duplicates, "duplicates_check", "duplicate check (worker)"),
             (acknowledge, "acknowledge", "acknowledge by SMTP (worker)")]
    originals = [(module, name, getattr(module, name)) for module, name, _ in steps]

    def wrap(function, label):
        def timed(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - begin
        return timed

    for (module, name, label), (_, _, original) in zip(steps, originals, strict=True):
        setattr(module, name, wrap(original, label))
    try:
        yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def in_process(messages: list[bytes]) -> None:
    from django_tasks_db.models import DBTaskResult

    latencies = []
    devnull = io.StringIO()
    spent: Counter = Counter()
    started = time.perf_counter()
    with timing(spent):
        for raw in messages:
            begin = time.perf_counter()
            call_command("mailgate", stdin=io.BytesIO(raw), stderr=devnull)
            latencies.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    say(f"(1) mailgate in-process: {len(messages)} messages in {elapsed:.2f} s = {len(messages) / elapsed:.0f} msg/s; "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1] * 1000:.1f} ms")
    say(f"    {check('email:mailgate', len(messages))}")
    spent["store, transactions, command"] = elapsed - sum(spent.values())
    say("    where the time goes, ms per message: " + "; ".join(
        f"{label} {seconds / len(messages) * 1000:.1f}" for label, seconds in spent.items()))
    # What the registrations queued: acknowledgements and duplicate checks, run as `amends worker` does.
    from amends.jobs.worker import AmendsWorker

    spent.clear()
    jobs = DBTaskResult.objects.filter(status="READY").count()
    started = time.perf_counter()
    with timing(spent):
        AmendsWorker().run(once=True)
    elapsed = time.perf_counter() - started
    acks = OutboundMessage.objects.filter(sent_at__isnull=False).count()
    say(f"    then the worker: {jobs} queued jobs in {elapsed:.2f} s = {jobs / elapsed:.0f} jobs/s; "
        f"{acks} acknowledgements sent over SMTP; " + "; ".join(
            f"{label} {seconds / len(messages) * 1000:.1f} ms per message" for label, seconds in spent.items()))


def by_process(messages: list[bytes]) -> None:
    amends = Path(sys.executable).parent / "amends"
    env = {**os.environ, "DATABASE_URL": database_url()}
    started = time.perf_counter()
    codes = Counter()
    for raw in messages:
        done = subprocess.run([str(amends), "mailgate"], input=raw, capture_output=True, env=env)
        codes[done.returncode] += 1
    elapsed = time.perf_counter() - started
    say(f"(2) `amends mailgate` as a process per message: {len(messages)} in {elapsed:.2f} s = "
        f"{len(messages) / elapsed:.1f} msg/s ({elapsed / len(messages) * 1000:.0f} ms each); exit codes {dict(codes)}")


def by_relay(messages: list[bytes], pipes: int) -> None:
    """What an MTA sees with `amends mailgate --url`: a process per message, `pipes` at once, each
    relaying to the app as scripts/serve runs it (granian, as `make run` does) on the same database."""
    port, secret = free_port(), "bench-relay-secret"
    env = {**os.environ, "DATABASE_URL": database_url(), "AMENDS_MAILGATE_SECRET": secret}
    server = start_server(env, port)
    amends = Path(sys.executable).parent / "amends"
    try:
        for _ in range(50):  # each server worker loads the URLs and views on its first request
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            warm.request("GET", "/intake/mailgate/")
            warm.getresponse().read()
            warm.close()
        after_pk = InboundMessage.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        latencies, codes = [], Counter()

        def pipe(raw: bytes) -> None:
            begin = time.perf_counter()
            done = subprocess.run([str(amends), "mailgate", "--url", f"http://127.0.0.1:{port}"], input=raw,
                                  capture_output=True, env=env)
            latencies.append(time.perf_counter() - begin)
            codes[done.returncode] += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(pipes) as pool:
            list(pool.map(pipe, messages))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    say(f"(2b) `amends mailgate --url` relaying to scripts/serve, {pipes} pipes at once: {len(messages)} in "
        f"{elapsed:.2f} s = {len(messages) / elapsed:.0f} msg/s; p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1] * 1000:.0f} ms; exit codes {dict(codes)}")
    say(f"    {check('email:mailgate', len(messages), after_pk)}")


def by_imap(messages: list[bytes]) -> None:
    if not dovecot_installed():
        say("(3) IMAP: skipped, Dovecot is not installed (apt-get install dovecot-imapd)")
        return
    with Dovecot() as server:
        started = time.perf_counter()
        server.deliver(*messages)
        say(f"(3) IMAP: {len(messages)} messages appended to Dovecot in {time.perf_counter() - started:.2f} s")
        mailbox = Mailbox.objects.create(name="bench", **server.mailbox_settings())
        started = time.perf_counter()
        result = mailbox_poll(mailbox, limit=len(messages))
        elapsed = time.perf_counter() - started
        say(f"    one poll_mail pass: {result.fetched} messages in {elapsed:.2f} s = "
            f"{result.fetched / elapsed:.0f} msg/s{'; error: ' + result.error if result.error else ''}")
        client = server.client()
        client.select_folder("INBOX", readonly=True)
        unseen = len(client.search(["UNSEEN"]))
        client.logout()
        say(f"    {check('email:bench', len(messages))}; left unseen on the server: {unseen}")


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{connection.settings_dict['NAME']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=20, help="messages sent through a new process each")
    parser.add_argument("--pipes", type=int, default=8, help="relay processes at once, as an MTA runs them (0: skip)")
    args = parser.parse_args()
    rng = random.Random(3)
    say(f"Database: {connection.vendor} ({database_url().split('@')[-1]}); Python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs")
    call_command("migrate", verbosity=0)
    corpus = texts()
    sink, port = smtp_sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    os.environ.update(EMAIL_BACKEND=settings.EMAIL_BACKEND, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
    try:
        batch = generate(args.count, "a", corpus, rng)
        parse_only(batch)
        in_process(batch)
        by_process(generate(args.processes, "p", corpus, rng))
        if args.pipes:
            by_relay(generate(args.count, "r", corpus, rng), args.pipes)
        by_imap(generate(args.count, "i", corpus, rng))
    finally:
        sink.terminate()
    say(f"Cards in the database: {Complaint.objects.count()}")


if __name__ == "__main__":
    main()
