"""Side by side with django-helpdesk, run by hand: `.venv/bin/python bench/peer/run.py [--records 100000]`.

Installs django-helpdesk 2.6.1 from PyPI into its own virtual environment (bench/peer/.venv/, ignored
by git; made once), sets up a minimal project for it (bench/peer/helpdesk_site/: SQLite tuned as
Amends tunes its own), generates --records records once (bench/peer/records.py) and loads the same
records into a fresh Amends (SQLite, production settings) and a fresh helpdesk: a card / a ticket
each, with its registration event / its "Ticket Opened" follow-up. Both are served the same way:
granian, WSGI, the same number of processes of one thread (scripts/serve's; --workers), on
127.0.0.1; Amends with `amends worker` beside it, as `make run` starts it; mail to one local SMTP
server (aiosmtpd). Then over HTTP, each page logged in as an administrator on one kept-alive
connection, the two systems' requests interleaved (A B B A ...) so that both see the same load:
  list            Amends /complaints/; helpdesk /tickets/ and the JSON of its rows (25, newest first),
                  which the page fetches before it shows anything: the two requests are one figure
  filtered list   open records: Amends ?state=registered; helpdesk ?status=1 (and its JSON)
  search          a common word (in ~10 % of the records) and a rare one (~0.2 %): Amends ?q=;
                  helpdesk ?q= (and its JSON)
  detail          a random record's card / ticket page
  dashboard       Amends' weekly summary /reports/weekly/; helpdesk's /dashboard/
  public form     8 clients posting the public form for --seconds (Amends /complain/, helpdesk
                  /tickets/submit/): accepted per second, latency; Amends stores the submission
                  and its worker makes the card, so the cards made by the end and the time the
                  worker took to catch up are printed too (helpdesk makes the ticket in the request)
  e-mail          --emails messages (UTF-8 and KOI8-R, plain text) in a local IMAP mailbox (Dovecot)
                  each: helpdesk's `get_email` command, Amends' `poll_mail --once` with the running
                  worker making the cards and sending the acknowledgements; from the start to the
                  last card/ticket
Each page figure is the p50 and p95 of --requests requests (after 3 warm-ups), with the load
average beside it; "Amends ahead by" is helpdesk's time over Amends' for a page, Amends' rate over
helpdesk's for intake (above 1: Amends is faster). --only takes some of the figures (e.g.
`--only dashboard,form,email`); `--records 2000 --requests 5 --seconds 5 --emails 100` is a quick look.

Measured 7 December 2026 (main of that day), `--records 100000 --wait 240`, 2 CPUs at load average
1.1-2.5 (pages: 20 requests each, interleaved; intake: `--only form,email` run again after the change to
what "owed" counts, below), ms p50 / p95:
  list                        Amends 32 / 39     helpdesk 382 / 416      12.0x
  filtered list (open)        Amends 31 / 33     helpdesk 379 / 381      12.3x
  search, common word         Amends 19 / 22     helpdesk 528 / 544      27.7x
  search, rare Russian word   Amends 18 / 19     helpdesk 415 / 425      23.5x
  detail                      Amends 24 / 32     helpdesk 36 / 39        1.5x
  weekly summary / dashboard  Amends 15 / 20     helpdesk 2,870 / 2,948  190x
  public form, 8 clients, 20 s: accepted Amends 629/s (p50 8 ms, p95 21 ms), helpdesk 202/s (p50 39 ms,
    p95 76 ms): 3.1x; made: Amends 265/s (all 12,724 cards made and acknowledged 48 s after the load
    began, 8,317 during it), helpdesk 202/s (every ticket in its request): 1.3x
  1,000 e-mails over IMAP to cards / tickets: Amends 163/s (6.1 s, the mailbox read in 2.0 s), helpdesk
    95/s (10.5 s, read in 10.2 s): 1.7x
Amends' "made" waits for the work owed to the customer (the card, its acknowledgement), as helpdesk's
request makes the ticket and its mail; the duplicate search and triage, which only the staff see, follow
and are not counted (counted, they made the first run's figures 55/s and 102/s).
The run of 6-7 December, before search was indexed and the worker registered in batches (load 14-25):
list 7.2x, filtered 9.7x, search 0.5-0.6x, detail 0.6x, dashboard 11.2x, form accepted 7.3x and made 0.3x.
"""

import argparse
import base64
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
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(HERE)]

import intake  # noqa: E402 - bench/intake.py: the Amends instance, its server and worker, load clients
import records  # noqa: E402 - bench/peer/records.py

from tests.harness.dovecot import Dovecot, dovecot_installed  # noqa: E402

PEER = "django-helpdesk==2.6.1"
PEER_VENV = HERE / ".venv"
PEER_PYTHON = PEER_VENV / "bin" / "python"
AMENDS_PYTHON = ROOT / ".venv" / "bin" / "python"
HEAD, PASSWORD = "bench-qms", "bench-peer-password"
PARTS = ("list", "filtered", "search", "detail", "dashboard", "form", "email")
AMENDS_TIME_ZONE = ZoneInfo(os.environ.get("TIME_ZONE", "Europe/Moscow"))


def say(text: str = "") -> None:
    print(text, flush=True)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peer_install() -> None:
    """The peer's own environment, made once: the peer and the same granian as Amends' server."""
    granian = subprocess.run([str(AMENDS_PYTHON), "-c", "import importlib.metadata as m; print(m.version('granian'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    if PEER_PYTHON.exists():
        installed = subprocess.run([str(PEER_PYTHON), "-c", "import importlib.metadata as m; "
                                    "print(m.version('django-helpdesk'), m.version('granian'))"],
                                   capture_output=True, text=True).stdout.split()
        if installed == [PEER.split("==")[1], granian]:
            return
    say(f"Installing {PEER} and granian {granian} into {PEER_VENV} ...")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    run([str(PEER_PYTHON), "-m", "pip", "install", "-q", PEER, f"granian=={granian}"], os.environ.copy())


def run(command: list[str], env: dict, cwd: Path = ROOT) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


class System:
    """One of the two: how to run its side script, its server, and its pages."""

    name: str
    env: dict
    port: int
    reconnections = 0

    def side(self, *arguments: str) -> str:
        raise NotImplementedError

    def count(self) -> dict:
        return json.loads(self.side("count").strip().splitlines()[-1])

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def login(self) -> None:
        """A session of the administrator through the login form, as a browser gets one."""
        connection = self.connection()
        _page, csrf, token = intake.form_page(connection, "/login/")
        intake.form_post(connection, "/login/", csrf, {"csrfmiddlewaretoken": token, "username": HEAD,
                                                       "password": PASSWORD})
        response = connection.getresponse()
        response.read()
        session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        if response.status != 302 or not session:
            raise SystemExit(f"{self.name}: could not log in ({response.status})")
        self.cookie = f"sessionid={session.group(1)}; csrftoken={csrf}"
        self.reader = connection

    def get(self, path: str) -> str:
        """The page's text; a kept-alive connection the server closed is opened again, as a browser does."""
        try:
            self.reader.request("GET", path, headers={"Cookie": self.cookie})
            response = self.reader.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            self.reconnections += 1
            self.reader.close()
            self.reader.request("GET", path, headers={"Cookie": self.cookie})
            response = self.reader.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise SystemExit(f"{self.name}: GET {path} answered {response.status}")
        return body

    def page(self, path: str) -> None:
        self.get(path)


class Amends(System):
    name = "Amends"

    def side(self, *arguments: str) -> str:
        return run([str(AMENDS_PYTHON), str(HERE / "amends_side.py"), *arguments], self.env)


class Helpdesk(System):
    name = "helpdesk"

    def side(self, *arguments: str) -> str:
        return run([str(PEER_PYTHON), str(HERE / "helpdesk_side.py"), *arguments], self.env, HERE)

    def page(self, path: str) -> None:
        """The page, and for a ticket list the rows it fetches: 25, newest first."""
        body = self.get(path)
        rows = re.search(r'"url": "(/datatables_ticket_list/[^"]+)"', body)
        if rows:
            self.get(rows.group(1) + "?draw=1&start=0&length=25&order%5B0%5D%5Bcolumn%5D=5"
                     "&order%5B0%5D%5Bdir%5D=desc")


@contextmanager
def smtp_sink():
    port = intake.free_port()
    process = subprocess.Popen([str(AMENDS_PYTHON), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                                "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def peer_instance(smtp_port: int):
    var_dir = tempfile.mkdtemp(prefix="amends-bench-peer-helpdesk-")
    env = {**os.environ, "PEER_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "helpdesk_site.settings",
           "PYTHONPATH": str(HERE), "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
           "LOG_LEVEL": "WARNING"}
    env.pop("VIRTUAL_ENV", None)
    try:
        run([str(PEER_PYTHON), "-m", "django", "migrate", "--noinput"], env, HERE)
        run([str(PEER_PYTHON), "-m", "django", "collectstatic", "--noinput"], env, HERE)
        yield env
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


@contextmanager
def peer_serving(env: dict, workers: int):
    """The peer under granian exactly as scripts/serve runs Amends."""
    port = intake.free_port()
    server = subprocess.Popen(
        [str(PEER_VENV / "bin" / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--blocking-threads", "1", "--access-log", "--workers-kill-timeout", "5",
         "helpdesk_site.wsgi:application"], env=env, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("helpdesk's server did not start within a minute") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=15)


def amends_numbers(path: Path) -> dict[int, str]:
    """Each record's card number, as amends_side.py gives them: the year's sequence in Amends' time zone."""
    numbers, last = {}, {}
    for r in records.read(path):
        year = datetime.fromisoformat(r["received"]).astimezone(AMENDS_TIME_ZONE).year
        last[year] = last.get(year, 0) + 1
        numbers[r["n"]] = f"{year}-{last[year]:06d}"
    return numbers


def ratio(better_when_larger: float, other: float) -> float | None:
    return better_when_larger / other if other else None


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, label: str, amends: str, peer: str, ratio: float | None) -> None:
        self.rows.append((label, amends, peer, f"{ratio:.1f}×" if ratio else "—"))
        say(f"  {label}: Amends {amends}; helpdesk {peer}; ratio {self.rows[-1][3]}")

    def print(self) -> None:
        head = ("figure", "Amends", "django-helpdesk 2.6.1", "Amends ahead by")
        widths = [max(len(row[i]) for row in [head, *self.rows]) for i in range(4)]
        for row in [head, tuple("-" * w for w in widths), *self.rows]:
            say("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")


def pages(amends: Amends, peer: Helpdesk, words: dict[str, str], numbers: dict[int, str], count: int,
          requests: int, only: set[str], table: Table) -> None:
    rng = random.Random(5)
    samples = [rng.randint(1, count) for _ in range(requests + 3)]
    figures = [
        ("list", "list", lambda i: "/complaints/", lambda i: "/tickets/"),
        ("filtered", "filtered list (open)", lambda i: "/complaints/?state=registered", lambda i: "/tickets/?status=1"),
        ("search", f"search, common word “{words['common']}”", lambda i: f"/complaints/?q={words['common']}",
         lambda i: f"/tickets/?q={words['common']}"),
        ("search", f"search, rare word “{words['rare']}”", lambda i: f"/complaints/?q={words['rare']}",
         lambda i: f"/tickets/?q={words['rare']}"),
        ("detail", "detail", lambda i: f"/complaints/{numbers[samples[i]]}/", lambda i: f"/tickets/{samples[i]}/"),
        ("dashboard", "dashboard / weekly summary", lambda i: "/reports/weekly/", lambda i: "/dashboard/"),
    ]
    for key, label, amends_path, peer_path in figures:
        if key not in only:
            continue
        times: dict[str, list[float]] = {"Amends": [], "helpdesk": []}
        loads = []
        for i in range(requests + 3):
            pair = [(amends, amends_path(i)), (peer, peer_path(i))]
            for system, path in pair if i % 2 else reversed(pair):
                started = time.perf_counter()
                system.page(quote(path, safe="/?=&%"))
                if i >= 3:
                    times[system.name].append((time.perf_counter() - started) * 1000)
            loads.append(os.getloadavg()[0])
        a, p = times["Amends"], times["helpdesk"]
        table.add(f"{label}, ms p50 / p95 (load {min(loads):.1f}–{max(loads):.1f})",
                  f"{percentile(a, 0.5):.0f} / {percentile(a, 0.95):.0f}",
                  f"{percentile(p, 0.5):.0f} / {percentile(p, 0.95):.0f}",
                  ratio(percentile(p, 0.5), percentile(a, 0.5)))


def peer_form_client(connection: http.client.HTTPConnection, index: int):
    """helpdesk's public form as a visitor fills it in: queue, title, text, e-mail, priority."""
    page, cookie, token = intake.form_page(connection, "/tickets/submit/")
    queue = re.search(r'<option value="(\d+)"[^>]*>Complaints', page)
    rng = random.Random(1000 + index)

    def send(n: int) -> int:
        text = intake.wording(rng)
        intake.form_post(connection, "/tickets/submit/", cookie, {
            "csrfmiddlewaretoken": token, "queue": queue.group(1) if queue else "1", "title": text[:60],
            "body": text, "submitter_email": f"visitor{index}@example.ru", "priority": "3",
        })
        response = connection.getresponse()
        response.read()
        return response.status
    return send


def intake_form(system: System, client, clients: int, seconds: float, wait: float) -> tuple[float, float, str, str]:
    """The load, then up to `wait` seconds for the records still owed: accepted per second and records
    made per second (until the last one, or a lower bound when some are still owed), with their texts."""
    for index in range(clients):  # each client's form page: every server process has served one
        client(http.client.HTTPConnection("127.0.0.1", system.port, timeout=30), index)
    before = system.count()["records"]
    load_run = intake.Load(system.port, seconds, clients, client)
    elapsed = load_run.run()
    accepted = sum(n for status, n in load_run.statuses.items() if status in (200, 201, 302))
    latencies = sorted(load_run.latencies)
    started, at_end = time.monotonic(), system.count()
    made_in_load = at_end["records"] - before
    while at_end["owed"] and time.monotonic() - started < wait:
        time.sleep(1)
        at_end = system.count()
    made = at_end["records"] - before
    took = elapsed + (time.monotonic() - started if made > made_in_load else 0)
    answers = dict(sorted(load_run.statuses.items()))
    accepted_text = (f"{accepted / elapsed:.0f}/s (p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
                     f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms; answers {answers})")
    owed = f"; {at_end['owed']} jobs still owed" if at_end["owed"] else ""
    made_text = (f"{'≥ ' if owed else ''}{made / took:.1f}/s ({made} of {accepted} in {took:.0f} s, "
                 f"{made_in_load} during the load{owed})")
    return accepted / elapsed, made / took, accepted_text, made_text


def messages(count: int, sample: list[dict], run_id: str) -> list[bytes]:
    """Plain-text complaints from the records; every fifth in KOI8-R (base64), the rest UTF-8."""
    out = []
    for i in range(count):
        r = sample[i % len(sample)]
        charset = "koi8-r" if i % 5 == 4 else "utf-8"
        head = (f"From: Writer {i} <writer{i}@example.org>\r\nTo: complaints@shop.example\r\n"
                f"Subject: =?{charset}?B?{base64.b64encode(r['title'][:60].encode(charset, 'replace')).decode()}?=\r\n"
                f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
                f"Message-ID: <{run_id}-{i}@mail.example.org>\r\nMIME-Version: 1.0\r\n"
                f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        body = base64.encodebytes(r["text"].encode(charset, "replace")).decode().replace("\n", "\r\n")
        out.append(head.encode("ascii") + body.encode("ascii"))
    return out


def email_intake(system: System, mail: list[bytes], fetch: list[str], wait: float) -> tuple[float, str]:
    """The mailbox filled, then `fetch` run (again while it leaves mail unread) until the last record."""
    at_end, waited = system.count(), time.monotonic()
    while at_end["owed"] and time.monotonic() - waited < wait:  # the public form's cards first
        time.sleep(1)
        at_end = system.count()
    if at_end["owed"]:
        say(f"  {system.name}: {at_end['owed']} jobs still owed before the mail, after {wait:.0f} s")
    with Dovecot() as server:
        server.deliver(*mail)
        system.side("mailbox", server.host, str(server.port), server.user, server.password)
        before = system.count()["email"]
        started = time.perf_counter()
        for _ in range(20):
            run(fetch, system.env, HERE if system.name == "helpdesk" else ROOT)
            client = server.client()
            client.select_folder("INBOX", readonly=True)
            unseen = len(client.search(["UNSEEN"]))
            client.logout()
            if not unseen:
                break
        fetched = time.perf_counter() - started
        at_end = system.count()
        while at_end["owed"] and time.perf_counter() - started < fetched + wait:
            time.sleep(0.5)
            at_end = system.count()
        elapsed = time.perf_counter() - started
    made = at_end["email"] - before
    rate = made / elapsed
    owed = f"; {at_end['owed']} jobs still owed" if at_end["owed"] else ""
    return rate, (f"{'≥ ' if owed else ''}{rate:.1f}/s ({made} of {len(mail)} made in {elapsed:.1f} s, the mailbox "
                  f"read in {fetched:.1f} s{'; ' + str(unseen) + ' left unread' if unseen else ''}{owed})")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="requests per page figure and system")
    parser.add_argument("--seconds", type=float, default=20, help="of the public form's load, per system")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--only", type=lambda v: set(v.split(",")), default=set(PARTS),
                        help=f"the figures to take, comma-separated, of {','.join(PARTS)}")
    parser.add_argument("--wait", type=float, default=600, help="seconds to wait for the records still owed after "
                        "a load or a mailbox read (Amends' worker makes them)")
    parser.add_argument("--workers", type=int, default=min(9, 2 * (os.cpu_count() or 1) + 1),
                        help="server processes each (scripts/serve's default)")
    return parser.parse_args()


def main() -> None:
    options = arguments()
    peer_install()
    say(f"Side by side: Amends ({ROOT}) and {PEER}, {options.records} records each, SQLite, "
        f"granian with {options.workers} processes each, {os.cpu_count()} CPUs, load {load()}")
    table = Table()
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="amends-bench-peer-")))
        path = work / "records.jsonl"
        started = time.perf_counter()
        words = records.generate(path, options.records)
        say(f"{options.records} records generated in {time.perf_counter() - started:.0f} s; search words {words}")
        smtp = stack.enter_context(smtp_sink())
        amends, peer = Amends(), Helpdesk()
        amends.env, _token = stack.enter_context(intake.fresh_instance("", "amends-bench-peer-amends-"))
        amends.env.update({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                           "EMAIL_PORT": str(smtp), "WORKERS": str(options.workers)})
        peer.env = stack.enter_context(peer_instance(smtp))
        for system in (amends, peer):
            started = time.perf_counter()
            system.side("seed", str(path))
            say(f"{system.name}: {options.records} records loaded in {time.perf_counter() - started:.0f} s")
        amends.port, _server, _worker = stack.enter_context(intake.serving(amends.env))
        peer.port = stack.enter_context(peer_serving(peer.env, options.workers))
        for system in (amends, peer):
            system.login()
        if options.only - {"form", "email"}:
            say(f"Pages, {options.requests} requests each, interleaved, load {load()}:")
        pages(amends, peer, words, amends_numbers(path), options.records, options.requests, options.only, table)
        if amends.reconnections or peer.reconnections:
            say(f"Kept-alive connections the servers closed, opened again: Amends {amends.reconnections}, "
                f"helpdesk {peer.reconnections}")

        if "form" in options.only:
            say(f"Public form, {options.clients} clients, {options.seconds:.0f} s each, load {load()}:")
            # The peer first: Amends' worker may still be making cards after its load.
            p_rate, p_made, p_text, p_made_text = intake_form(peer, peer_form_client, options.clients, options.seconds,
                                                              options.wait)
            a_rate, a_made, a_text, a_made_text = intake_form(amends, intake.form_client, options.clients,
                                                              options.seconds, options.wait)
            table.add(f"public form, {options.clients} clients: accepted (load {load()})", a_text, p_text,
                      ratio(a_rate, p_rate))
            table.add("public form: cards / tickets made", a_made_text, p_made_text, ratio(a_made, p_made))

        if "email" in options.only and options.emails and dovecot_installed():
            say(f"E-mail, {options.emails} messages, load {load()}:")
            sample = list(records.read(path))[:options.emails]
            a_rate, a_text = email_intake(amends, messages(options.emails, sample, "amends"),
                                          [str(ROOT / ".venv" / "bin" / "amends"), "poll_mail", "--once"], options.wait)
            p_rate, p_text = email_intake(peer, messages(options.emails, sample, "peer"),
                                          [str(PEER_PYTHON), "-m", "django", "get_email", "--quiet"], options.wait)
            table.add(f"{options.emails} e-mails from IMAP to cards / tickets (load {load()})", a_text, p_text,
                      ratio(a_rate, p_rate))
        elif "email" in options.only and options.emails:
            say("E-mail: skipped, Dovecot is not installed (apt-get install dovecot-imapd)")
    say()
    table.print()


if __name__ == "__main__":
    main()
