"""Benchmark, run by hand: e-mail end to end, from the mailbox or the MTA pipe to registered cards whose
acknowledgements a real SMTP server has accepted.

    .venv/bin/python bench/mail_end_to_end.py                       # SQLite, one worker
    scripts/with-postgres .venv/bin/python bench/mail_end_to_end.py --workers 2
    .venv/bin/python bench/mail_end_to_end.py --counts 1000 --paths imap --repeat 3

Generated mail (bench/mail_corpus.py: UTF-8, KOI8-R, Windows-1251, mislabelled, HTML-only, attachments,
replies, auto-replies and broken messages mixed in) goes through each path, with `amends worker`
processes (--workers) registering the cards and sending the acknowledgements to an SMTP server on
127.0.0.1 (aiosmtpd, in a process of its own) that counts them:
  imap     the messages are put in a throwaway Dovecot first; the clock starts when the mailbox is
           switched on for `amends poll_mail --interval 1`, running as its own process;
  relay    the app's POST /intake/mailgate/ (scripts/serve, as `make run` starts it), where each
           `amends mailgate --url` posts its message, fed by --pipes clients at once on kept-alive
           connections: what the app sustains, without the MTA's cost of a process per message;
  pipe     real `amends mailgate --url` processes, --pipes at once, as an MTA runs them (the same
           endpoint): at most --pipe-count messages, since each costs a Python start.
The clock stops when the last acknowledgement is accepted. Printed for each run: messages per
second end to end; when the last message was stored, the last card registered and the last
acknowledgement accepted; the CPU seconds each kind of process spent per message; the outcomes
(registered, threaded, ignored, quarantined) and that nothing was lost or acknowledged twice;
and the load average beside each figure.

SQLite by default (a new file in a temporary folder); with DATABASE_URL set, that database.
"""

import argparse
import http.client
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-mail-e2e-")
os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.base", AMENDS_VAR_DIR=VAR_DIR, DEBUG="0",
                  MEDIA_ROOT=str(Path(VAR_DIR) / "media"), LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"))

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from intake import listening, start_server  # noqa: E402 - bench/intake.py, beside this script
from mail_corpus import generate, texts  # noqa: E402

from amends.complaints.models import Complaint  # noqa: E402
from amends.intake.acknowledge import ACKNOWLEDGEMENT  # noqa: E402
from amends.intake.channels.email.errors import MalformedEmail  # noqa: E402
from amends.intake.channels.email.parser import parse_email  # noqa: E402
from amends.intake.channels.webhooks.signing import SIGNATURE_HEADER, signature  # noqa: E402
from amends.intake.models import InboundMessage, InboundStatus, Mailbox, OutboundMessage  # noqa: E402
from amends.intake.services import Ignored  # noqa: E402
from tests.harness.dovecot import Dovecot, dovecot_installed, free_port  # noqa: E402

SECRET = "bench-relay-secret"
WAITING = [InboundStatus.QUEUED, InboundStatus.RECEIVED]


def say(text: str = "") -> None:
    print(text, flush=True)


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


class Counting:
    """aiosmtpd handler: counts the messages accepted and when the last one came, in memory shared with
    the bench's process."""

    def __init__(self, count, last):
        self.count, self.last = count, last

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.count.get_lock():
            self.count.value += 1
            self.last.value = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in every process
        return "250 OK"


class SmtpSink:
    """The SMTP server the acknowledgements go to, in a process of its own as a real mail server is:
    in the bench's process its replies waited for the relay clients' threads (one interpreter lock)."""

    def __init__(self, port: int):
        context = multiprocessing.get_context("fork")
        self._count, self._last = context.Value("q", 0), context.Value("d", 0.0)
        self._stop = context.Event()
        self.process = context.Process(target=self._serve, args=(port,), daemon=True)
        self.process.start()
        if not listening(port, within=10):
            raise RuntimeError(f"The SMTP sink did not start on port {port}")

    def _serve(self, port: int) -> None:
        controller = Controller(Counting(self._count, self._last), hostname="127.0.0.1", port=port)
        controller.start()
        self._stop.wait()
        controller.stop()

    @property
    def count(self) -> int:
        return self._count.value

    @property
    def last(self) -> float:
        return self._last.value

    def stop(self) -> None:
        self._stop.set()
        self.process.join(10)


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and its waited-for children (granian's workers are not waited
    for until they end, so the server's figure counts its own process tree as /proc lists it)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15]) / ticks
    return total


def _children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob(f"{pid}/task/*/children"):
        for child in path.read_text().split():
            found += [int(child), *_children(int(child))]
    return found


class Pipeline:
    """The workers (and the poller, the server) as processes, each one's CPU time measured."""

    def __init__(self, workers: int, smtp_port: int):
        self.env = {**os.environ, "DATABASE_URL": database_url(), "AMENDS_MAILGATE_SECRET": SECRET,
                    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "0", "AMENDS_JOBS_DISABLED": "mail_poll"}
        self.processes: dict[str, list[subprocess.Popen]] = {"worker": [], "poller": [], "server": []}
        for _ in range(workers):
            self.start("worker", [str(BIN / "amends"), "worker", "--interval", "0.2"])

    def start(self, kind: str, command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=open(Path(VAR_DIR) / f"{kind}.log", "ab"))  # noqa: SIM115
        self.processes[kind].append(process)
        return process

    def cpu(self) -> dict[str, float]:
        return {kind: sum(cpu_seconds(p.pid) for p in processes) for kind, processes in self.processes.items()}

    def stop(self) -> None:
        for processes in self.processes.values():
            for process in processes:
                process.terminate()
        for processes in self.processes.values():
            for process in processes:
                process.wait(timeout=60)


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{connection.settings_dict['NAME']}"


def last_pk() -> int:
    return InboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def follow(sink: "SmtpSink", after_pk: int, expected: int, started: float, timeout: float, acks_before: int) -> dict:
    """Watch the run until every message is stored, none waits for the worker, and every card with
    an e-mail address has its acknowledgement accepted by the SMTP server; when each happened."""
    marks: dict = {}
    run = InboundMessage.objects.filter(pk__gt=after_pk)
    while time.perf_counter() - started < timeout:
        time.sleep(0.25)
        now = time.perf_counter()
        if "stored" not in marks and run.count() >= expected:
            marks["stored"] = now
        if "stored" in marks and "registered" not in marks and not run.filter(status__in=WAITING).exists():
            marks["registered"] = now
            marks["acks expected"] = run.filter(status=InboundStatus.REGISTERED,
                                                complaint__contact__email__gt="").count()
        if "registered" in marks and "acknowledged" not in marks and sink.count >= marks["acks expected"] + acks_before:
            marks["acknowledged"] = max(sink.last, marks["registered"])
        # The duplicate searches follow the acknowledgements: when the last one was done.
        if "acknowledged" in marks and not DBTaskResult.objects.filter(
                task_path="amends.intake.tasks.follow_up_registrations_task", status__in=["READY", "RUNNING"]).exists():
            marks["searched"] = now
            return marks
    marks["timed out"] = True
    return marks


def relay_post(raws: list[bytes], port: int, pipes: int) -> Counter:
    """What `amends mailgate --url` sends, from `pipes` clients at once on kept-alive connections."""
    answers: Counter = Counter()
    chunks = [raws[i::pipes] for i in range(pipes)]

    def client(chunk: list[bytes]) -> None:
        link = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for raw in chunk:
            link.request("POST", "/intake/mailgate/", body=raw, headers={
                "Content-Type": "message/rfc822", SIGNATURE_HEADER: signature(raw, SECRET)})
            response = link.getresponse()
            response.read()
            answers[response.status] += 1
        link.close()

    with ThreadPoolExecutor(pipes) as pool:
        list(pool.map(client, chunks))
    return answers


def pipe_processes(raws: list[bytes], port: int, pipes: int, env: dict) -> Counter:
    codes: Counter = Counter()

    def pipe(raw: bytes) -> None:
        done = subprocess.run([str(BIN / "amends"), "mailgate", "--url", f"http://127.0.0.1:{port}"],
                              input=raw, capture_output=True, env=env)
        codes[done.returncode] += 1

    with ThreadPoolExecutor(pipes) as pool:
        list(pool.map(pipe, raws))
    return codes


def run(path: str, count: int, args, corpus: list[str], sink: "SmtpSink", smtp_port: int, tag: str) -> None:
    import random

    raws = generate(count, tag, corpus, random.Random(count))
    pipeline = Pipeline(args.workers, smtp_port)
    dovecot = None
    try:
        after_pk, cards_before = last_pk(), Complaint.objects.count()
        if path == "imap":
            dovecot = Dovecot().__enter__()
            dovecot.deliver(*raws)
            mailbox = Mailbox.objects.create(name=f"bench-{tag}", is_active=False, **dovecot.mailbox_settings())
            pipeline.start("poller", [str(BIN / "amends"), "poll_mail", "--interval", "1", "--mailbox", mailbox.name])
        else:
            port = free_port()
            pipeline.processes["server"].append(start_server(pipeline.env, port))
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for _ in range(20):  # each server process loads the URLs and views on its first request
                warm.request("GET", "/intake/mailgate/")
                warm.getresponse().read()
        time.sleep(3)  # the processes have started and are idle
        cpu_before, acks_before = pipeline.cpu(), sink.count
        load_before = load()
        started = time.perf_counter()
        if path == "imap":
            Mailbox.objects.filter(pk=mailbox.pk).update(is_active=True)
            answers = Counter()
        elif path == "relay":
            answers = relay_post(raws, port, args.pipes)
        else:
            answers = pipe_processes(raws, port, args.pipes, pipeline.env)
        handed = time.perf_counter()
        marks = follow(sink, after_pk, count, started, args.timeout, acks_before)
        cpu_after = pipeline.cpu()
    finally:
        pipeline.stop()
        if dovecot is not None:
            unseen = _unseen(dovecot)
            dovecot.__exit__(None, None, None)
    report(path, count, args, marks, started, handed, answers, after_pk, cards_before, sink, acks_before,
           {kind: cpu_after[kind] - cpu_before[kind] for kind in cpu_after}, load_before,
           unseen if path == "imap" else None)


def _unseen(dovecot: Dovecot) -> int:
    client = dovecot.client()
    client.select_folder("INBOX", readonly=True)
    unseen = len(client.search(["UNSEEN"]))
    client.logout()
    return unseen


def report(path, count, args, marks, started, handed, answers, after_pk, cards_before, sink, acks_before, cpu,
           load_before, unseen) -> None:
    end = marks.get("acknowledged")
    outcomes = Counter(InboundMessage.objects.filter(pk__gt=after_pk).values_list("status", flat=True))
    stored = sum(outcomes.values())
    acks = OutboundMessage.objects.filter(purpose=ACKNOWLEDGEMENT, complaint__inbound_messages__pk__gt=after_pk)
    twice = (acks.values("complaint").order_by().annotate(n=django.db.models.Count("pk", distinct=True))
             .filter(n__gt=1).count())
    line = (f"{path:5} {count:6} msgs, {connection.vendor}, {args.workers} worker(s), cards before {cards_before}: ")
    if end is None:
        line += f"NOT DONE within {args.timeout:.0f} s" + "".join(
            f"; {mark} by {marks[mark] - started:.1f} s" for mark in ("stored", "registered") if mark in marks)
    else:
        line += (f"{count / (end - started):6.0f} msg/s end to end ({end - started:.1f} s); stored by "
                 f"{marks['stored'] - started:.1f} s, registered by {marks['registered'] - started:.1f} s, "
                 f"acknowledged by {end - started:.1f} s")
        if "searched" in marks:
            line += f" (duplicate searches done by {marks['searched'] - started:.1f} s)"
    say(line + f"; {load_before} at the start, {load()} at the end")
    if path != "imap":
        say(f"      handed over in {handed - started:.1f} s ({count / (handed - started):.0f} msg/s); "
            f"answers {dict(answers)}")
    say("      CPU seconds per 1,000 messages: " + ", ".join(
        f"{kind} {seconds / count * 1000:.1f}" for kind, seconds in cpu.items() if seconds))
    say(f"      stored {stored}/{count}, " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        + f"; lost {count - stored}, still waiting for the worker "
          f"{outcomes.get(InboundStatus.QUEUED, 0) + outcomes.get(InboundStatus.RECEIVED, 0)}"
        + f"; acknowledgements accepted by SMTP {sink.count - acks_before}, acknowledged twice {twice}"
        + (f"; left unseen on the server {unseen}" if unseen is not None else ""))


def parse_cost(corpus: list[str]) -> None:
    import random

    raws = generate(2000, "parse", corpus, random.Random(1))
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        for raw in raws:
            try:
                parse_email(raw)
            except (Ignored, MalformedEmail):
                pass
        timings.append((time.perf_counter() - started) / len(raws) * 1000)
    say(f"The parser alone (bytes to the complaint it carries): best {min(timings):.2f} ms, median "
        f"{statistics.median(timings):.2f} ms a message over {len(raws)} ({load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--paths", nargs="+", default=["imap", "relay", "pipe"], choices=["imap", "relay", "pipe"])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pipes", type=int, default=8, help="relay clients or mailgate processes at once")
    parser.add_argument("--pipe-count", type=int, default=1000, help="at most this many through real processes")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    say(f"Database: {connection.vendor}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; {load()}")
    if "imap" in args.paths and not dovecot_installed():
        say("IMAP skipped: Dovecot is not installed (apt-get install dovecot-imapd)")
        args.paths.remove("imap")
    call_command("migrate", verbosity=0)
    corpus = texts()
    parse_cost(corpus)
    smtp_port = free_port()
    sink = SmtpSink(smtp_port)
    try:
        for count in args.counts:
            for path in args.paths:
                if path == "pipe" and count > args.pipe_count:
                    say(f"pipe  {count} msgs: skipped, over --pipe-count (a Python start per message)")
                    continue
                for attempt in range(args.repeat):
                    run(path, count, args, corpus, sink, smtp_port, f"{path}{count}x{attempt}-{os.getpid()}")
    finally:
        sink.stop()
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
