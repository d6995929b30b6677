"""Benchmark, run by hand: `.venv/bin/python bench/intake.py [--database-url postgres://...]`.

Starts the app the way `make run` does (scripts/serve's granian, production settings, `amends worker`
beside it) on a fresh database (SQLite in a temporary folder unless --database-url is given), then
for --seconds with --clients concurrent clients on 127.0.0.1:
  (a) POST /api/v1/complaints/ with a token: complaints per second, p50/p95 latency, and the
      number of complaints stored in the database against the number of 201 answers (lost must
      be 0); then how long the worker takes to register their cards and run their follow-up jobs,
      and the number of cards;
  (c) the public form /complain/ (rate limit off): the same figures.
E-mail intake (b) has its own script, bench/intake_mail.py.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [str(BIN / "amends"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        input=stdin,
    ).stdout


def listening(port: int, *, within: float) -> bool:
    """Whether something accepts connections on the port on 127.0.0.1 within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def start_server(env: dict, port: int, log=subprocess.DEVNULL) -> subprocess.Popen:
    """scripts/serve, once it accepts connections: within a minute, as a busy machine starts slowly.
    Its output goes to `log` (an open file), or nowhere."""
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "serve")], env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        cwd=ROOT, stdout=log, stderr=log,
    )
    if listening(port, within=60):
        return server
    server.terminate()  # granian stops its workers; a kill would leave them running
    server.wait(timeout=15)
    raise SystemExit("the server did not start within a minute")


@contextmanager
def fresh_instance(database_url: str, prefix: str, setup: str = "") -> Iterator[tuple[dict, str]]:
    """A migrated database (SQLite in a temporary folder unless database_url is given) with an operator
    "bench" for the API: yields the environment to run the app with and the operator's token. `setup`
    is more `amends shell` code to run there, with Group and User imported (e.g. another user)."""
    var_dir = tempfile.mkdtemp(prefix=prefix)
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": var_dir,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "AMENDS_WEB_FORM_RATE": "off",
        "LOG_LEVEL": "WARNING", "DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        token = manage(env, "shell", "--no-imports", "-c", (
            "from django.contrib.auth.models import Group; from amends.accounts.models import User; "
            "from rest_framework.authtoken.models import Token; "
            "u = User.objects.create_user('bench', password='x'); u.groups.add(Group.objects.get(name='operator')); "
            + setup + "print(Token.objects.create(user=u).key)"
        )).strip()
        yield env, token
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


@contextmanager
def serving(env: dict) -> Iterator[tuple[int, subprocess.Popen, subprocess.Popen]]:
    """The server and `amends worker` beside it, as `make run` starts them: yields the port and both
    processes, and stops them at the end."""
    port = free_port()
    server = start_server(env, port)
    worker = subprocess.Popen([str(BIN / "amends"), "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield port, server, worker
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=15)


class Load:
    """Clients each keep one connection and send requests until the time is up."""

    def __init__(self, port: int, seconds: float, clients: int, make_client):
        self.port, self.seconds, self.clients, self.make_client = port, seconds, clients, make_client
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()

    def run(self) -> float:
        deadline = time.perf_counter() + self.seconds
        threads = [threading.Thread(target=self._client, args=(i, deadline)) for i in range(self.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - started

    def _client(self, index: int, deadline: float) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        send = self.make_client(connection, index)
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            began = time.perf_counter()
            status = send(n)
            elapsed = time.perf_counter() - began
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status in (200, 201, 302):
                    self.latencies.append(elapsed)

    def report(self, name: str, elapsed: float, ok_status: int, stored: int) -> None:
        ok = self.statuses.get(ok_status, 0)
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000 if lat else 0
        p95 = lat[int(len(lat) * 0.95) - 1] * 1000 if lat else 0
        print(f"{name}: {ok / elapsed:.0f} complaints/s with {self.clients} clients over {elapsed:.1f} s; "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms; answers {dict(sorted(self.statuses.items()))}; "
              f"in the database {stored}, answered {ok_status}: {ok}, lost {ok - stored}")


WORDS = ("заказ доставка курьер оплата возврат чайник холодильник договор счёт скидка гарантия ремонт "
         "магазин оператор звонок задержка упаковка трещина замена сервис претензия").split()


def wording(rng: random.Random) -> str:
    """Distinct texts, as real traffic has: repeats of one text by one customer would be linked as duplicates."""
    return " ".join(rng.choice(WORDS) for _ in range(18)).capitalize() + "."


def api_post(connection: http.client.HTTPConnection, token: str, rng: random.Random, index: int) -> None:
    """Sends client `index`'s next complaint to the API; the caller reads the answer."""
    body = json.dumps({
        "channel": "email", "text": wording(rng),
        "customer": {"name": f"Клиент {index}", "email": f"client{index}@example.ru"},
    })
    connection.request("POST", "/api/v1/complaints/", body=body, headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json",
    })


def form_page(connection: http.client.HTTPConnection, path: str) -> tuple[str, str, str]:
    """GETs a page with a form: its text, the CSRF cookie and the form's CSRF token."""
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return page, cookie, token


def form_post(connection: http.client.HTTPConnection, path: str, cookie: str, fields: dict) -> None:
    """POSTs a form as a browser on this host does; the caller reads the answer."""
    connection.request("POST", path, body=urllib.parse.urlencode(fields), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
        "Referer": f"http://127.0.0.1:{connection.port}{path}",
    })


def paced_load(port: int, makers: list, clients_each: int, rate: float, seconds: float) -> tuple[dict[int, int], float]:
    """`clients_each` clients of each maker (see api_client), each on its own connection, sending
    `rate` requests a second in all for `seconds`: the answers by status, and the time it took."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    clients = clients_each * len(makers)
    interval, deadline = clients / rate, time.perf_counter() + seconds

    def paced(make, index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        send, due, n = make(conn, index), time.perf_counter() + index / rate, 0
        while due < deadline:
            time.sleep(max(0.0, due - time.perf_counter()))
            n += 1
            try:
                status = send(n)
            except OSError:  # no answer in time: counted as status 0, on a new connection
                status = 0
                conn.close()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            due += interval

    threads = [threading.Thread(target=paced, args=(make, i)) for make in makers for i in range(clients_each)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, time.perf_counter() - started


def api_client(token: str):
    def make(connection: http.client.HTTPConnection, index: int):
        rng = random.Random(index)

        def send(n: int) -> int:
            api_post(connection, token, rng, index)
            response = connection.getresponse()
            response.read()
            return response.status
        return send
    return make


def form_client(connection: http.client.HTTPConnection, index: int):
    page, cookie, token = form_page(connection, "/complain/?lang=ru")
    consent = re.search(r'name="consent"', page) is not None
    rng = random.Random(1000 + index)

    def send(n: int) -> int:
        fields = {
            "csrfmiddlewaretoken": token, "name": f"Посетитель {index}", "email": f"visitor{index}@example.ru",
            "text": wording(rng),
        }
        if consent:
            fields["consent"] = "on"
        form_post(connection, "/complain/", cookie, fields)
        response = connection.getresponse()
        response.read()
        return response.status
    return send


def last_stored(env: dict) -> int:
    code = ("from amends.intake.models import InboundMessage as M; "
            "print(M.objects.order_by('-pk').values_list('pk', flat=True).first() or 0)")
    return int(manage(env, "shell", "--no-imports", "-c", code).strip())


def stored_since(env: dict, source: str, after_pk: int) -> dict[str, int]:
    """The submissions a load stored with their numbers, counted by status."""
    code = ("import json; from collections import Counter; from amends.intake.models import InboundMessage as M; "
            f"print(json.dumps(Counter(M.objects.filter(source='{source}', pk__gt={after_pk}).exclude(number='')"
            ".values_list('status', flat=True))))")
    return json.loads(manage(env, "shell", "--no-imports", "-c", code).strip())


def owed(env: dict) -> int:
    """Work the worker still owes: submissions waiting for their cards, and queued jobs."""
    code = ("from django_tasks_db.models import DBTaskResult as T; "
            "from amends.intake.models import InboundMessage as M; "
            "print(T.objects.filter(status__in=['READY', 'RUNNING']).count() "
            "+ M.objects.filter(status__in=['queued', 'received']).exclude(number='').count())")
    return int(manage(env, "shell", "--no-imports", "-c", code).strip())


def drain(env: dict, name: str, source: str, after_pk: int) -> None:
    """The cards, duplicate checks and acknowledgements the worker still owes at the end of a load."""
    started, backlog = time.monotonic(), owed(env)
    while (left := owed(env)) and time.monotonic() - started < 900:
        time.sleep(1)
    print(f"{name}: worker owed {backlog} cards and jobs at the end, done {time.monotonic() - started:.0f} s later"
          + (f" ({left} still owed)" if left else "")
          + f"; the load's submissions by status: {stored_since(env, source, after_pk)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--paths", default="api,form", help="which of api and form to load, comma-separated")
    options = parser.parse_args()

    with fresh_instance(options.database_url, "amends-bench-intake-") as (env, token):
        database = "PostgreSQL" if options.database_url else "SQLite"
        print(f"Amends intake bench on {database}, scripts/serve, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        with serving(env) as (port, _server, _worker):
            paths = options.paths.split(",")
            # Every worker imports the app and opens its database on its first requests: not timed.
            Load(port, 3, options.clients, api_client(token)).run()
            Load(port, 3, options.clients, form_client).run()
            for path, name, source, client, ok in (
                ("api", "(a) API", "api", api_client(token), 201),
                ("form", "(c) public form", "web_form", form_client, 302),
            ):
                if path not in paths:
                    continue
                after_pk = last_stored(env)
                load = Load(port, options.seconds, options.clients, client)
                elapsed = load.run()
                load.report(name, elapsed, ok, sum(stored_since(env, source, after_pk).values()))
                drain(env, name, source, after_pk)


if __name__ == "__main__":
    sys.exit(main())
