"""Benchmark, run by hand: how fast the worker registers stored submissions, and how soon after its
201 an API complaint has its card.

    .venv/bin/python bench/worker.py --from /path/to/var-folder      # SQLite: a copy of a filled database
    scripts/with-postgres .venv/bin/python bench/worker.py --cards 100000 --workers 1 2   # PostgreSQL

(1) Registrations per second, per channel (API, web form, e-mail) and all three mixed: --count
    submissions stored through the channels' own services, held, then released at once to --workers
    real `amends worker` processes already started and idle. The rate runs from the first claim to
    the last card (registration), and to the last follow-up job done (duplicate search and
    acknowledgement: what "keeping up" needs); the workers' CPU per card is read from /proc.
(2) With --rate: the server (scripts/serve) and the workers as in production, the API taking --rate
    complaints a second for --seconds; the time from each stored submission (its 201) to its card:
    p50, p95, max.
SQLite runs on a copy of --from's database (never the folder itself), migrated by this code; PostgreSQL
(DATABASE_URL) is filled with --cards cards first when it holds fewer. Every figure is printed with the
load average: other processes on the machine slow it.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import common  # noqa: E402 - bench/common.py
import intake  # noqa: E402 - bench/intake.py: the server and the API clients


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, help="SQLite: a var folder (amends.sqlite3) to copy")
    parser.add_argument("--cards", type=int, default=100_000, help="PostgreSQL: cards to fill first")
    parser.add_argument("--count", type=int, default=2000, help="submissions per channel in (1)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="worker processes, e.g. 1 2")
    parser.add_argument("--channels", nargs="*", default=["api", "web_form", "email", "mixed"],
                        help="channels of (1); none to measure (2) only")
    parser.add_argument("--rounds", type=int, default=1, help="times each figure of (1) is taken")
    parser.add_argument("--rate", type=float, default=0, help="(2): API complaints a second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--without-periodic", action="store_true",
                        help="(2) with the periodic jobs off (as a worker kept for intake runs)")
    parser.add_argument("--interval", type=float, default=0.05,
                        help="the workers' --interval: how often an idle worker polls (production: 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


OPTIONS = arguments()
VAR_DIR, POSTGRES = common.intake_environment("amends-bench-worker-", OPTIONS.source)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.api.services import complaint_accept_from_api  # noqa: E402
from amends.complaints.choices import Channel  # noqa: E402
from amends.complaints.models import Complaint, new_tracking_code  # noqa: E402
from amends.intake.channels.web_form.services import web_form_submit  # noqa: E402
from amends.intake.models import InboundMessage, InboundStatus  # noqa: E402
from amends.jobs.schedule import PERIODIC  # noqa: E402

say = common.say
FOLLOW_UP = ["amends.intake.tasks.follow_up_registrations_task", "amends.intake.tasks.acknowledge_registrations_task"]
TICKS = os.sysconf("SC_CLK_TCK")


load = common.load


def operator() -> User:
    return common.bench_user("bench-worker", Role.OPERATOR)


def fill_postgres(count: int) -> None:
    """Cards in bulk up to `count`, spread over five years, most closed: the table the worker writes into."""
    have = Complaint.objects.count()
    if have >= count:
        return
    started, now, year = time.perf_counter(), timezone.now(), timezone.localtime().year
    template = Complaint(number="", received_at=now, channel=Channel.EMAIL, wording="", state="closed")
    rows = ({"number": f"F{year}-{i:07d}", "tracking_code": new_tracking_code(),
             "received_at": common.datetime_value(now - (now - now.replace(year=year - 5)) * (1 - i / count)),
             "wording": f"Заказ {i}: товар пришёл повреждённым, курьер опоздал на {i % 9 + 1} дней."}
            for i in range(have, count))
    with common.indexes_dropped(Complaint):
        common.bulk_insert(Complaint, template, rows)
    common.analyze()
    say(f"filled {count - have} cards in {time.perf_counter() - started:.0f} s")


def store(channel: str, count: int, actor: User, tag: str) -> list[int]:
    """`count` submissions as each channel stores them; returns their pks."""
    pks = []
    for i in range(count):
        kind = channel if channel != "mixed" else ("api", "web_form", "email")[i % 3]
        text = f"Заказ {tag}-{i}: чайник протекает, курьер опоздал на {i % 7 + 1} дней, коробка мятая."
        if kind == "api":
            message = complaint_accept_from_api(actor=actor, channel="email", text=text, customer={
                "name": f"Покупатель {tag} {i}", "email": f"buyer-{tag}-{i}@example.ru"})
        elif kind == "web_form":
            message = web_form_submit(data={"name": f"Клиент {tag} {i}", "email": f"client-{tag}-{i}@example.ru",
                                            "text": text}, consent_text="Согласен", attachments=[], language="ru")
        else:
            mail = EmailMessage()
            mail["From"], mail["To"] = f"Writer {i} <writer-{tag}-{i}@example.ru>", "complaints@example.com"
            mail["Subject"], mail["Message-ID"] = "Жалоба", f"<bench-{tag}-{i}@example.ru>"
            mail.set_content(text)
            message = InboundMessage.objects.create(channel=Channel.EMAIL, source="email:bench", raw=mail.as_bytes(),
                                                    external_ref=mail["Message-ID"], status=InboundStatus.QUEUED)
        pks.append(message.pk)
    return pks


def worker_processes(count: int, *, periodic: bool) -> list[subprocess.Popen]:
    """`amends worker` processes; without the periodic jobs (`periodic` false), only intake's work."""
    disabled = "" if periodic else ",".join(job.name for job in PERIODIC)
    env = {**os.environ, "AMENDS_VAR_DIR": VAR_DIR, "AMENDS_JOBS_DISABLED": disabled}
    command = [sys.executable, str(ROOT / "manage.py"), "worker", "--interval", str(OPTIONS.interval)]
    return [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop(processes: list[subprocess.Popen]) -> None:
    """Ask each worker to stop after the job at hand (on a busy machine that may take minutes), else kill it."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            say(f"    worker {process.pid} still running 300 s after SIGTERM: killed")
            process.kill()
            process.wait()


def cpu_of(processes: list[subprocess.Popen]) -> float:
    total = 0.0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def idle(processes: list[subprocess.Popen]) -> tuple[float, float]:
    """Wait until the workers have started and do nothing (each polling the queues under 5 % of a CPU);
    their CPU then, and the CPU seconds a second their polling costs while idle (over 3 s)."""
    before = -1.0
    for _ in range(120):
        time.sleep(1)
        now = cpu_of(processes)
        if now - before < 0.05 * len(processes):
            break
        before = now
    time.sleep(3)
    polling = (cpu_of(processes) - now) / 3
    return cpu_of(processes), polling


def throughput(channel: str, workers: int, actor: User, tag: str) -> tuple[float, float, float]:
    """(1) for one channel: cards a second registered, and with their follow-ups done; CPU ms a card."""
    pks = store(channel, OPTIONS.count, actor, tag)
    held = InboundMessage.objects.filter(pk__in=pks)
    future = timezone.now() + timezone.timedelta(days=1)
    held.update(status=InboundStatus.RECEIVED, claimed_at=future)  # a live claim: no worker takes them
    processes = worker_processes(workers, periodic=False)
    try:
        cpu, polling = idle(processes)
        released = time.monotonic()
        jobs_before = DBTaskResult.objects.filter(task_path__in=FOLLOW_UP).aggregate(last=Max("enqueued_at"))["last"]
        held.update(status=InboundStatus.QUEUED, claimed_at=None)
        deadline = time.monotonic() + 1800
        while held.filter(status__in=[InboundStatus.QUEUED, InboundStatus.RECEIVED]).exists():
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not register the submissions within 30 minutes")
            time.sleep(0.2)
        new_jobs = DBTaskResult.objects.filter(task_path__in=FOLLOW_UP)
        if jobs_before:
            new_jobs = new_jobs.filter(enqueued_at__gt=jobs_before)
        while new_jobs.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
            time.sleep(0.2)
        cpu = cpu_of(processes) - cpu
        polled = polling * (time.monotonic() - released)
    finally:
        stop(processes)
    statuses = dict(held.values_list("status").annotate(n=Min("pk")).values_list("status", "n"))
    registered = held.filter(status=InboundStatus.REGISTERED)
    first = held.aggregate(first=Min("claimed_at"))["first"]
    last = Complaint.objects.filter(pk__in=registered.values("complaint_id")).aggregate(last=Max("created_at"))["last"]
    done = new_jobs.aggregate(last=Max("finished_at"))["last"] or last
    cards = registered.count()
    if cards < len(pks):
        say(f"    {len(pks) - cards} of {len(pks)} not registered: statuses {sorted(statuses)}")
    # While one worker works, the others poll: what idle workers cost is told apart from the cards' work.
    say(f"    idle polling at --interval {OPTIONS.interval:g}: {polling * 1000:.0f} ms CPU a second, at most "
        f"{polled / cards * 1000:.1f} ms of the CPU a card below (were every worker idle throughout)")
    return cards / (last - first).total_seconds(), cards / (done - first).total_seconds(), cpu / cards * 1000


def lag(rate: float, seconds: float, workers: int, actor: User) -> None:
    """(2): paced API clients against the server, the workers registering meanwhile."""
    token = Token.objects.get_or_create(user=actor)[0].key
    env = {**os.environ, "AMENDS_VAR_DIR": VAR_DIR}
    connection.close()
    port = intake.free_port()
    server = intake.start_server(env, port)
    processes = worker_processes(workers, periodic=not OPTIONS.without_periodic)
    try:
        idle(processes)  # the periodic jobs due at start done
        intake.Load(port, 3, 4, intake.api_client(token)).run()  # warm-up: imports, connections
        after = InboundMessage.objects.aggregate(last=Max("pk"))["last"] or 0
        statuses, elapsed = intake.paced_load(port, [intake.api_client(token)], 16, rate, seconds)
        say(f"(2) {workers} worker(s): the API took {statuses.get(201, 0) / elapsed:.0f} complaints/s for "
            f"{elapsed:.0f} s (asked {rate:.0f}/s); answers {dict(sorted(statuses.items()))}; {load()}")
        stored = InboundMessage.objects.filter(pk__gt=after, source="api")
        waited = time.monotonic()
        while stored.filter(status__in=["queued", "received"]).exists() and time.monotonic() - waited < 600:
            time.sleep(0.5)
        received = dict(stored.values_list("number", "received_at"))
        cards = dict(Complaint.objects.filter(number__in=received).values_list("number", "created_at"))
        delays = [(cards[n] - at).total_seconds() for n, at in received.items() if n in cards]
        p50, p95 = common.percentile(delays, 0.5), common.percentile(delays, 0.95)
        say(f"    201 to card: p50 {p50:.2f} s, p95 {p95:.2f} s, max {max(delays):.2f} s over {len(delays)} cards "
            f"({len(received) - len(delays)} without a card); {load()}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        stop(processes)


def main() -> None:
    say(f"Amends worker bench on {connection.vendor}, {os.cpu_count()} CPUs, {load()}; code in {ROOT}")
    try:
        call_command("migrate", verbosity=0)
        if POSTGRES:
            fill_postgres(OPTIONS.cards)
        actor = operator()
        say(f"{Complaint.objects.count()} cards stored; batches of {os.environ.get('AMENDS_INTAKE_BATCH', 100)}")
        for workers in OPTIONS.workers:
            if OPTIONS.channels:
                say(f"(1) {workers} worker(s), {OPTIONS.count} submissions a channel:")
            for channel in OPTIONS.channels:
                figures = []
                for round_ in range(OPTIONS.rounds):
                    figures.append(throughput(channel, workers, actor, f"{channel}{workers}r{round_}{time.time_ns()}"))
                    registered, followed, cpu = figures[-1]
                    say(f"    {channel}: {registered:.0f} cards/s registered, {followed:.0f}/s with their follow-ups "
                        f"done; worker CPU {cpu:.1f} ms a card (one free CPU: {1000 / cpu:.0f} cards/s); {load()}")
                if len(figures) > 1:
                    best = max(figures)
                    middle = sorted(figures)[len(figures) // 2]
                    say(f"    {channel}: best {best[0]:.0f} ({best[1]:.0f}) cards/s, median {middle[0]:.0f} "
                        f"({middle[1]:.0f}) over {len(figures)} rounds")
            if OPTIONS.rate:
                lag(OPTIONS.rate, OPTIONS.seconds, workers, actor)
    finally:
        connection.close()
        if OPTIONS.keep:
            say(f"Kept {VAR_DIR}")
        else:
            shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
