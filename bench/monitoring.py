"""Benchmark, run by hand: what a Prometheus scrape and a readiness probe cost on a filled database.

    .venv/bin/python bench/monitoring.py --var /tmp/copy-of-a-filled-var [--requests 30]
    DATABASE_URL=postgres://... .venv/bin/python bench/monitoring.py [--requests 30]

With --var, the SQLite database of that var folder (migrate it first: `AMENDS_VAR_DIR=... amends
migrate`); else DATABASE_URL. Times GET /metrics (the queue, clock and heartbeat queries with the
exposition) and GET /ready/ through Django's test client, and each metric family's queries alone,
printing the best, median and p95 beside the load average.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import environment, median, percentile, say  # noqa: E402


def timed(work, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    say(f"{label:<34} best {min(times):7.1f} ms   median {median(times):7.1f} ms   "
        f"p95 {percentile(times, 0.95):7.1f} ms   (load {load})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", help="a var folder whose amends.sqlite3 to read (else DATABASE_URL)")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    environment("amends-bench-monitoring-", var_dir=args.var, own_sqlite=bool(args.var))

    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from amends.complaints.models import Complaint
    from amends.deadlines.models import TICKING, Clock
    from amends.intake.models import InboundMessage
    from amends.monitoring.metrics import StateCollector

    say(f"database: {django.db.connection.vendor}, {Complaint.objects.count():,} cards, "
        f"{Clock.objects.filter(TICKING).count():,} ticking clocks, "
        f"{InboundMessage.objects.count():,} stored submissions")
    client = Client()
    assert client.get("/metrics").status_code == 200
    say(f"/ready/ answers {client.get('/ready/').content.decode()}")
    report("GET /metrics", timed(lambda: client.get("/metrics"), args.requests))
    report("GET /ready/", timed(lambda: client.get("/ready/"), args.requests))
    collector, now = StateCollector(), timezone.now()
    for name, part in [("  intake queue and lag", lambda: list(collector._intake(now))),
                       ("  jobs waiting", lambda: list(collector._jobs(now))),
                       ("  clocks at risk / overdue", lambda: list(collector._clocks(now))),
                       ("  worker heartbeat", lambda: collector._worker(now))]:
        report(name, timed(part, args.requests))


if __name__ == "__main__":
    main()
