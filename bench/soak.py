"""Soak, run by hand: `.venv/bin/python bench/soak.py [--seconds 600] [--database-url postgres://...]`.

Starts the app as bench/intake.py does (scripts/serve and `amends worker` on a fresh database) and for
--seconds runs together on 127.0.0.1: API intake, the public web form, and staff reading the list and
cards, while the worker registers what comes in. Intake is paced (--rate complaints a second in all) so
that the worker keeps up, as it must in service (6/s outran it on a loaded 2-CPU machine); readers
pause --read-pause between pages. The run is
bounded in time and in requests (--max-requests) and stops by itself; then it waits for the worker to
finish (at most --drain seconds) and prints, per kind of request, the error rate and latency
percentiles; the resident memory (RSS) of the server (all its processes) and of the worker at the
start and at the end; and whether every 201 (API) and 302 (form) number has its card ("lost" must be 0).
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.intake import BIN, ROOT, free_port, manage, owed, wording  # noqa: E402


def start_server(env: dict, port: int, log=subprocess.DEVNULL) -> subprocess.Popen:
    """scripts/serve, as bench/intake.py starts it, waiting up to a minute: a busy machine starts slowly.
    Its output goes to `log` (an open file), or nowhere."""
    server = subprocess.Popen([str(ROOT / "scripts" / "serve")], env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                              cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within a minute")


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (granian forks its workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[str, int]] = {}
        self.numbers: list[tuple[float, str]] = []
        self.requests = 0

    def record(self, kind: str, status: str, elapsed: float, ok: bool) -> None:
        with self.lock:
            self.requests += 1
            by_status = self.statuses.setdefault(kind, {})
            by_status[status] = by_status.get(status, 0) + 1
            if ok:
                self.latencies.setdefault(kind, []).append(elapsed)

    def add_number(self, number: str) -> None:
        with self.lock:
            self.numbers.append((time.monotonic(), number))

    def older_number(self, rng: random.Random, age: float) -> str | None:
        with self.lock:
            ready = [n for at, n in self.numbers[-2000:] if time.monotonic() - at > age]
        return rng.choice(ready) if ready else None


class Soak:
    def __init__(self, port: int, token: str, options: argparse.Namespace):
        self.port, self.token, self.options = port, token, options
        self.stats = Stats()
        self.stop = threading.Event()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def timed(self, kind: str, call, ok_status: int) -> http.client.HTTPResponse | None:
        """Runs one request; an exception or an unexpected status counts as an error."""
        began = time.perf_counter()
        try:
            response = call()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.stats.record(kind, type(error).__name__, time.perf_counter() - began, False)
            return None
        elapsed = time.perf_counter() - began
        self.stats.record(kind, str(response.status), elapsed, response.status == ok_status)
        response.body = body  # type: ignore[attr-defined]
        return response if response.status == ok_status else None

    def bounded(self) -> bool:
        return not self.stop.is_set() and self.stats.requests < self.options.max_requests

    def paced(self, started: float, sent: int, per_second: float) -> None:
        """Sleeps until the next send is due, so that a client sends at its share of the rate."""
        delay = started + sent / per_second - time.monotonic()
        if delay > 0:
            self.stop.wait(delay)

    def api_client(self, index: int, per_second: float) -> None:
        rng, connection, started, sent = random.Random(index), self.connection(), time.monotonic(), 0
        while self.bounded():
            body = json.dumps({"channel": "email", "text": wording(rng),
                               "customer": {"name": f"Клиент {index}", "email": f"client{index}@example.ru"}})

            def call(body=body):
                connection.request("POST", "/api/v1/complaints/", body=body, headers={
                    "Authorization": f"Token {self.token}", "Content-Type": "application/json"})
                return connection.getresponse()
            response = self.timed("api intake", call, 201)
            if response is None:
                connection.close()
            else:
                self.stats.add_number(json.loads(response.body)["number"])  # type: ignore[attr-defined]
            sent += 1
            self.paced(started, sent, per_second)

    def form_client(self, index: int, per_second: float) -> None:
        rng, connection, started, sent = random.Random(1000 + index), self.connection(), time.monotonic(), 0
        connection.request("GET", "/complain/?lang=ru")
        response = connection.getresponse()
        page = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        while self.bounded():
            fields = {"csrfmiddlewaretoken": token, "name": f"Посетитель {index}",
                      "email": f"visitor{index}@example.ru", "text": wording(rng), "consent": "on"}

            def call(fields=fields):
                connection.request("POST", "/complain/", body=urllib.parse.urlencode(fields), headers={
                    "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
                    "Referer": f"http://127.0.0.1:{self.port}/complain/"})
                return connection.getresponse()
            response = self.timed("web form", call, 302)
            if response is None:
                connection.close()
            else:
                # The thanks page's address carries the number: /complain/thanks/<number>/?...
                location = response.getheader("Location") or ""
                self.stats.add_number(location.rstrip("/").split("?")[0].rstrip("/").rsplit("/", 1)[-1])
            sent += 1
            self.paced(started, sent, per_second)

    def login(self, connection: http.client.HTTPConnection) -> str:
        connection.request("GET", "/login/")
        response = connection.getresponse()
        page = response.read().decode()
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        connection.request("POST", "/login/", body=urllib.parse.urlencode({
            "csrfmiddlewaretoken": token, "username": "reader", "password": "soak-reader"}), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{self.port}/login/"})
        response = connection.getresponse()
        response.read()
        session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        if response.status != 302 or not session:
            raise SystemExit(f"the reader could not log in: {response.status}")
        return f"sessionid={session.group(1)}"

    def reader(self, index: int) -> None:
        rng, connection = random.Random(5000 + index), self.connection()
        cookie = self.login(connection)
        while self.bounded():
            number = self.stats.older_number(rng, 5)
            if number is None or rng.random() < 0.3:
                path, kind = "/complaints/?sort=-received", "staff list"
            else:
                path, kind = f"/complaints/{number}/", "staff card"

            def call(path=path):
                connection.request("GET", path, headers={"Cookie": cookie})
                return connection.getresponse()
            if self.timed(kind, call, 200) is None:
                connection.close()
            self.stop.wait(self.options.read_pause)

    def run(self) -> float:
        o = self.options
        threads = [threading.Thread(target=self.api_client, args=(i, o.rate / 2 / o.intake_clients))
                   for i in range(o.intake_clients)]
        threads += [threading.Thread(target=self.form_client, args=(i, o.rate / 2 / o.intake_clients))
                    for i in range(o.intake_clients)]
        threads += [threading.Thread(target=self.reader, args=(i,)) for i in range(o.readers)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        timer = threading.Timer(o.seconds, self.stop.set)
        timer.start()
        for thread in threads:
            thread.join()
        timer.cancel()
        return time.monotonic() - started

    def report(self, elapsed: float) -> None:
        total = errors = 0
        for kind in sorted(self.stats.statuses):
            statuses = self.stats.statuses[kind]
            ok = len(self.stats.latencies.get(kind, []))
            count = sum(statuses.values())
            total, errors = total + count, errors + count - ok
            lat = sorted(self.stats.latencies.get(kind, [])) or [0.0]

            def pct(p: float, lat: list[float] = lat) -> float:
                return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
            print(f"  {kind}: {count} requests ({count / elapsed:.1f}/s), errors {count - ok} "
                  f"({100 * (count - ok) / max(count, 1):.2f} %), latency p50 {pct(0.5):.0f} ms, "
                  f"p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, max {lat[-1] * 1000:.0f} ms; answers {statuses}")
        print(f"  all: {total} requests over {elapsed:.0f} s, error rate {100 * errors / max(total, 1):.3f} %")


def missing_cards(env: dict, numbers: list[str]) -> dict[str, list[str]]:
    """The answered numbers without a card: those whose submission is stored and still waits for the
    worker ("pending"), and those with neither card nor submission ("lost")."""
    code = ("import json, sys; from amends.complaints.models import Complaint as C; "
            "from amends.intake.models import InboundMessage as M; "
            "wanted = json.load(sys.stdin); found, stored = set(), set(); "
            "[found.update(C.objects.filter(number__in=wanted[i:i + 500]).values_list('number', flat=True)) "
            "for i in range(0, len(wanted), 500)]; "
            "[stored.update(M.objects.filter(number__in=wanted[i:i + 500]).values_list('number', flat=True)) "
            "for i in range(0, len(wanted), 500)]; "
            "missing = set(wanted) - found; "
            "print(json.dumps({'pending': sorted(missing & stored), 'lost': sorted(missing - stored)}))")
    return json.loads(manage(env, "shell", "--no-imports", "-c", code, stdin=json.dumps(numbers)).strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=2, help="complaints a second, API and form together")
    parser.add_argument("--intake-clients", type=int, default=2, help="clients per intake path")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--read-pause", type=float, default=0.2, help="seconds a reader waits between pages")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--drain", type=float, default=900, help="seconds to wait for the worker at the end")
    options = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="amends-bench-soak-")
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": var_dir,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "AMENDS_WEB_FORM_RATE": "off",
        "LOG_LEVEL": "WARNING", "DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    port = free_port()
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        token = manage(env, "shell", "--no-imports", "-c", (
            "from django.contrib.auth.models import Group; from amends.accounts.models import User; "
            "from rest_framework.authtoken.models import Token; "
            "u = User.objects.create_user('bench', password='x'); u.groups.add(Group.objects.get(name='operator')); "
            "r = User.objects.create_user('reader', password='soak-reader'); "
            "r.groups.add(Group.objects.get(name='manager')); "
            "print(Token.objects.create(user=u).key)"
        )).strip()
        print(f"Amends soak on {'PostgreSQL' if options.database_url else 'SQLite'}: {options.seconds:.0f} s, "
              f"intake {options.rate}/s (API and form), {options.readers} readers, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        server = start_server(env, port)
        worker = subprocess.Popen([str(BIN / "amends"), "worker"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            soak = Soak(port, token, options)
            # Memory at the start: after every server process has answered a few requests.
            warm = Soak(port, token, argparse.Namespace(**{**vars(options), "seconds": 3, "max_requests": 10_000}))
            warm.run()
            start_rss = rss_kib(server.pid), rss_kib(worker.pid)
            elapsed = soak.run()
            end_load_rss = rss_kib(server.pid), rss_kib(worker.pid)
            began, backlog = time.monotonic(), owed(env)
            while owed(env) and time.monotonic() - began < options.drain:
                time.sleep(1)
            drained = time.monotonic() - began
            end_rss = rss_kib(server.pid), rss_kib(worker.pid)
            print(f"Load over {elapsed:.0f} s:")
            soak.report(elapsed)
            for name, i in (("server", 0), ("worker", 1)):
                print(f"  RSS {name}: {start_rss[i] / 1024:.0f} MiB at the start, {end_load_rss[i] / 1024:.0f} MiB "
                      f"at the end of the load, {end_rss[i] / 1024:.0f} MiB after the drain")
            numbers = [n for _, n in warm.stats.numbers + soak.stats.numbers]
            missing = missing_cards(env, numbers)
            carded = len(numbers) - len(missing["pending"]) - len(missing["lost"])
            print(f"  worker owed {backlog} cards and jobs at the end of the load, "
                  f"{'done' if not missing['pending'] else 'still working'} {drained:.0f} s later; numbers "
                  f"answered {len(numbers)}, with their card {carded}, "
                  f"stored and waiting for the worker {len(missing['pending'])}, "
                  f"lost {len(missing['lost'])}" + (f": {missing['lost'][:10]}" if missing["lost"] else ""))
        finally:
            for process in (server, worker):
                process.terminate()
                process.wait(timeout=15)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
