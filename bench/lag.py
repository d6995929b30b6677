"""Benchmark, run by hand: how soon after the API's 201 a complaint has its card, while the API takes
a steady stream of complaints.

    .venv/bin/python bench/lag.py --from VAR_FOLDER --rate 200 --seconds 60     # SQLite: a copy of it
    scripts/with-postgres .venv/bin/python bench/lag.py --rate 200 --workers 2  # PostgreSQL as it is

The server runs as in production (scripts/serve: granian, production settings) with `amends worker`
processes beside it; a separate client process sends --rate complaints a second for --seconds from
--clients connections and records, for each answer, its status and the moment it came; an observer
reads the new cards every 50 ms and records the moment each one is first seen. The lag is the time from
a 201 to its card being seen: p50, p95 and max. Every answer other than 201 is counted and listed, and
the server's log is searched for the errors behind them. The CPU time of the server processes (per
request) and of the workers (per card) is printed beside the figures, with the load average, since
other processes on the machine slow the wall-clock figures.

SQLite runs on a copy of --from's database in a temporary folder, never on the folder itself.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import common  # noqa: E402 - bench/common.py
import intake  # noqa: E402 - bench/intake.py: the server, the complaints' wording
import mail_corpus  # noqa: E402 - bench/mail_corpus.py: real complaint texts

TICKS = os.sysconf("SC_CLK_TCK")
OBSERVE_EVERY = 0.05
CUSTOMERS = 10_000


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, help="SQLite: a var folder (amends.sqlite3) to copy")
    parser.add_argument("--rate", type=float, default=200, help="API complaints a second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16, help="client connections sharing the rate")
    parser.add_argument("--workers", type=int, default=1, help="`amends worker` processes")
    parser.add_argument("--interval", type=float, default=1.0, help="the workers' --interval (production: 1)")
    parser.add_argument("--without-periodic", action="store_true",
                        help="the workers with the periodic jobs off (a worker kept for intake)")
    parser.add_argument("--texts", choices=("generated", "real"), default="generated",
                        help="the complaints' wording: 18 words of a 21-word list from one customer a client "
                             "(generated), or real Russian complaints (bench/mail_corpus.py) from 10,000 customers")
    parser.add_argument("--train-during", action="store_true",
                        help="the triage models of every field trained by the worker as the burst starts")
    parser.add_argument("--long-jobs", choices=("apart", "here"), default="apart",
                        help="the workers' --long-jobs: the trainings in a second process (apart, the default) "
                             "or in the worker itself, giving way to intake at their pause points (here)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    parser.add_argument("--client", nargs=5, metavar=("PORT", "TOKEN", "RATE", "SECONDS", "OUT"),
                        help=argparse.SUPPRESS)
    return parser.parse_args()


def client(port: int, token: str, rate: float, seconds: float, clients: int, out: Path) -> None:
    """The client process: `clients` paced connections; one JSON line per answer into `out`:
    [status, sent at, answered at, number or the start of the body]."""
    answers: list[list] = []
    lock = threading.Lock()
    interval, start = clients / rate, time.time() + 0.5
    deadline = start + seconds

    def paced(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rng, due = random.Random(index), start + index / rate
        # Nothing is sent after the deadline: a server slower than the rate takes fewer, which is the figure.
        while due < deadline and time.time() < deadline:
            time.sleep(max(0.0, due - time.time()))
            sent = time.time()
            try:
                post(conn, rng, index)
                response = conn.getresponse()
                body = response.read()
                status = response.status
            except OSError as error:  # no answer in time: status 0, on a new connection
                conn.close()
                status, body = 0, str(error).encode()
            answered = time.time()
            detail = json.loads(body)["number"] if status == 201 else body[:300].decode(errors="replace")
            with lock:
                answers.append([status, sent, answered, detail])
            due += interval

    def post(conn: http.client.HTTPConnection, rng: random.Random, index: int) -> None:
        if not real:
            intake.api_post(conn, token, rng, index)
            return
        customer = rng.randrange(CUSTOMERS)
        body = json.dumps({"channel": "email", "text": rng.choice(real), "customer": {
            "name": f"Клиент {customer}", "email": f"client{customer}@example.ru"}})
        conn.request("POST", "/api/v1/complaints/", body=body, headers={
            "Authorization": f"Token {token}", "Content-Type": "application/json"})

    real = mail_corpus.texts() if OPTIONS.texts == "real" else []
    threads = [threading.Thread(target=paced, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.write_text("\n".join(json.dumps(answer) for answer in answers))


OPTIONS = arguments()
if OPTIONS.client:
    port, token, rate, seconds, out = OPTIONS.client
    client(int(port), token, float(rate), float(seconds), OPTIONS.clients, Path(out))
    sys.exit(0)

VAR_DIR, POSTGRES = common.intake_environment("amends-bench-lag-", OPTIONS.source)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from amends.accounts.roles import Role  # noqa: E402
from amends.complaints.models import Complaint  # noqa: E402
from amends.intake.models import InboundMessage, InboundStatus  # noqa: E402
from amends.jobs.schedule import PERIODIC  # noqa: E402

say = common.say


load = common.load


def api_token() -> str:
    return Token.objects.get_or_create(user=common.bench_user("bench-lag", Role.OPERATOR))[0].key


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


class Observer(threading.Thread):
    """Reads the cards made after `after` every OBSERVE_EVERY seconds: when each number was first seen.
    It looks a little behind the newest card it saw, as two PostgreSQL workers commit out of key order."""

    def __init__(self, after: int):
        super().__init__(daemon=True)
        self.after, self.seen, self.running = after, {}, True

    def run(self) -> None:
        newest = self.after
        while self.running:
            now = time.time()
            rows = Complaint.objects.filter(pk__gt=max(self.after, newest - 2000)).values_list("pk", "number")
            for pk, number in rows:
                self.seen.setdefault(number, now)
                newest = max(newest, pk)
            time.sleep(OBSERVE_EVERY)
        connection.close()


def server_start(env: dict, port: int, log) -> subprocess.Popen:
    """scripts/serve, once it accepts connections: within three minutes, as a busy machine starts slowly."""
    server = subprocess.Popen([str(ROOT / "scripts" / "serve")], env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                              cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/health/")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()  # granian stops its workers; a kill would leave them running
    server.wait(timeout=30)
    raise SystemExit(f"the server did not start within three minutes: see {log.name}")


def workers_start(count: int) -> list[subprocess.Popen]:
    disabled = ",".join(job.name for job in PERIODIC) if OPTIONS.without_periodic else ""
    env = {**os.environ, "AMENDS_VAR_DIR": VAR_DIR, "AMENDS_JOBS_DISABLED": disabled}
    log = open(Path(VAR_DIR) / "worker.log", "ab")  # noqa: SIM115 - open while the workers run
    return [subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "worker", "--interval", str(OPTIONS.interval),
                              "--long-jobs", OPTIONS.long_jobs],
                             env=env, cwd=ROOT, stdout=log, stderr=log) for _ in range(count)]


def settled(pids: list[int]) -> None:
    """Until the processes use under 5 % of a CPU: started, and the periodic jobs due at start done."""
    before = cpu_seconds(pids)
    for _ in range(120):
        time.sleep(1)
        now = cpu_seconds(pids)
        if now - before < 0.05:
            return
        before = now


def errors_logged(path: Path) -> dict[str, int]:
    """The server log's errors: each traceback's last line (the exception), with how often it came."""
    found: dict[str, int] = {}
    lines = path.read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = i + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
                end += 1
            if end < len(lines):
                found[lines[end][:200]] = found.get(lines[end][:200], 0) + 1
    return found


def main() -> None:
    say(f"Amends 201-to-card lag on {connection.vendor}, {os.cpu_count()} CPUs, {load()}; code in {ROOT}")
    call_command("migrate", verbosity=0)
    token = api_token()
    say(f"{Complaint.objects.count()} cards stored; {OPTIONS.workers} worker(s), periodic jobs "
        f"{'off' if OPTIONS.without_periodic else 'on'}; batches of {os.environ.get('AMENDS_INTAKE_BATCH', 100)}")
    connection.close()
    env = {**os.environ, "AMENDS_VAR_DIR": VAR_DIR}
    port = OPTIONS.port or intake.free_port()
    server_log = Path(VAR_DIR) / "server.log"
    with open(server_log, "ab") as log:
        server = server_start(env, port, log)
    workers = workers_start(OPTIONS.workers)
    worker_pids = [process.pid for process in workers]
    try:
        settled(worker_pids + process_tree(server.pid))
        # Warm-up: every server process imports its code and opens its database connection.
        warm_up = Path(VAR_DIR) / "warm-up.jsonl"
        subprocess.run([sys.executable, __file__, "--clients", "8", "--client", str(port), token, "40", "2",
                        str(warm_up)], check=True)
        settled(worker_pids)
        after = Complaint.objects.aggregate(last=Max("pk"))["last"] or 0
        queued_after = InboundMessage.objects.aggregate(last=Max("pk"))["last"] or 0
        connection.close()
        observer = Observer(after)
        observer.start()
        server_pids = process_tree(server.pid)
        server_cpu, worker_cpu = cpu_seconds(server_pids), cpu_seconds(worker_pids)
        answers_file = Path(VAR_DIR) / "answers.jsonl"
        if OPTIONS.train_during:
            from amends.triage.models import TriageField
            from amends.triage.tasks import train_task

            for field in TriageField.values:
                train_task.enqueue(field)
            connection.close()
        started = time.time()
        subprocess.run([sys.executable, __file__, "--texts", OPTIONS.texts, "--clients", str(OPTIONS.clients),
                        "--client", str(port), token, str(OPTIONS.rate), str(OPTIONS.seconds), str(answers_file)],
                       check=True)
        sent_for = time.time() - started
        server_cpu = cpu_seconds(server_pids) - server_cpu
        load_during = load()
        answers = [json.loads(line) for line in answers_file.read_text().splitlines() if line]
        numbers = {detail: answered for status, _sent, answered, detail in answers if status == 201}
        waiting = InboundMessage.objects.filter(pk__gt=queued_after, status__in=[InboundStatus.QUEUED,
                                                                                 InboundStatus.RECEIVED])
        deadline = time.monotonic() + 600
        while (waiting.exists() or not set(numbers) <= observer.seen.keys()) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2 * OBSERVE_EVERY)
        observer.running = False
        observer.join()
        cards_cpu = cpu_seconds(worker_pids) - worker_cpu
        # The worker registers a burst's cards first; their duplicate searches and acknowledgements follow.
        follow_ups = DBTaskResult.objects.filter(task_path__in=["amends.intake.tasks.follow_up_registrations_task",
                                                                "amends.intake.tasks.acknowledge_registrations_task"],
                                                 status__in=["READY", "RUNNING"])
        while follow_ups.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        follow_ups_done = time.time() - (started + sent_for)
        worker_cpu = cpu_seconds(worker_pids) - worker_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
        for process in workers:
            process.terminate()
            process.wait(timeout=60)
    statuses: dict[int, int] = {}
    for status, *_rest in answers:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = [answered - sent for status, sent, answered, _detail in answers if status == 201]
    say(f"The API took {len(numbers) / sent_for:.0f} complaints/s over {sent_for:.0f} s (asked "
        f"{OPTIONS.rate:.0f}/s for {OPTIONS.seconds:.0f} s): answers {dict(sorted(statuses.items()))}; "
        f"201 in p50 {common.percentile(latencies, 0.5) * 1000:.0f} ms, p95 "
        f"{common.percentile(latencies, 0.95) * 1000:.0f} ms; server CPU {server_cpu / len(answers) * 1000:.1f} ms "
        f"a request; {load_during}")
    delays = [observer.seen[number] - answered for number, answered in numbers.items() if number in observer.seen]
    if delays:
        say(f"201 to card: p50 {common.percentile(delays, 0.5):.2f} s, p95 {common.percentile(delays, 0.95):.2f} s, "
            f"max {max(delays):.2f} s over {len(delays)} cards ({len(numbers) - len(delays)} without a card); "
            f"worker CPU {cards_cpu / len(delays) * 1000:.1f} ms a card (follow-ups done meanwhile included); "
            f"{load()}")
        say(f"Follow-ups (duplicate search, acknowledgement) all done {follow_ups_done:.1f} s after the last "
            f"complaint was sent; worker CPU with them {worker_cpu / len(delays) * 1000:.1f} ms a card")
    else:
        say(f"201 to card: no card seen of {len(numbers)} accepted")
    others = [(status, detail) for status, _sent, _answered, detail in answers if status != 201]
    for (status, detail), count in sorted({(s, d): others.count((s, d)) for s, d in others}.items())[:10]:
        say(f"    {count} × {status}: {detail[:200]!r}")
    for error, count in errors_logged(server_log).items():
        say(f"    server log, {count} ×: {error}")
    for error, count in errors_logged(Path(VAR_DIR) / "worker.log").items():
        say(f"    worker log, {count} ×: {error}")
    if OPTIONS.keep:
        say(f"Kept {VAR_DIR}")
    else:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
