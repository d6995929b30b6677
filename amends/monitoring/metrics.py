"""Prometheus metrics: request latency by view (measured in each server process) and the state of
the queues and clocks (read from the database when scraped, so every server reports the same).

Under several server processes, PROMETHEUS_MULTIPROC_DIR (set by scripts/serve) makes each process
write its latency figures there, and a scrape adds up every process's figures.
"""

import logging
import os
from collections.abc import Iterator
from datetime import datetime

from django.apps import apps
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from amends.deadlines.choices import ClockKind
from amends.deadlines.models import TICKING, Clock
from amends.intake.models import InboundMessage, InboundStatus

logger = logging.getLogger(__name__)

# Buckets around the pages' targets (list 100 ms, card 60 ms, weekly summary 500 ms).
REQUEST_LATENCY = Histogram(
    "amends_http_request_duration_seconds", "Time to answer a request, by view, method and status class.",
    ["view", "method", "status"], registry=None,
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Stored submissions waiting for their card: queued for the worker, or claimed and not registered yet.
WAITING = [InboundStatus.QUEUED, InboundStatus.RECEIVED]


def _age(then: datetime | None, now: datetime) -> float:
    return max((now - then).total_seconds(), 0.0) if then else 0.0


class StateCollector(Collector):
    """Read at each scrape: a handful of indexed queries."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        try:
            families = [*self._intake(now), *self._jobs(now), *self._clocks(now), *self._workers(now)]
        except DatabaseError as error:  # the latency figures are still worth a scrape
            logger.warning("Metrics read no state from the database: %s", error)
            families = []
        yield GaugeMetricFamily("amends_database_up", "1 when the scrape read the database, else 0.",
                                value=1 if families else 0)
        yield from families

    def _intake(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        waiting = InboundMessage.objects.filter(status__in=WAITING)
        rows = dict(waiting.values_list("status").annotate(n=Count("pk")).order_by())
        depth = GaugeMetricFamily("amends_intake_queue_depth", "Stored submissions without their card yet.",
                                  labels=["status"])
        for status in WAITING:
            depth.add_metric([status.value], rows.get(status.value, 0))
        yield depth
        oldest = waiting.aggregate(oldest=Min("received_at"))["oldest"]
        yield GaugeMetricFamily("amends_intake_registration_lag_seconds",
                                "Age of the oldest stored submission without its card (0: none waits).",
                                value=_age(oldest, now))

    def _jobs(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        ready = DBTaskResult.objects.ready()
        figures = ready.aggregate(depth=Count("pk"), oldest=Min("enqueued_at"))
        yield GaugeMetricFamily("amends_jobs_queue_depth", "Jobs due and waiting for a worker.",
                                value=figures["depth"])
        yield GaugeMetricFamily("amends_jobs_oldest_ready_seconds",
                                "Age of the oldest job waiting for a worker (0: none waits).",
                                value=_age(figures["oldest"], now))

    def _clocks(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        # Overdue clocks passed their at-risk time too: one range of the partial at-risk index.
        rows = Clock.objects.filter(TICKING, at_risk_at__lte=now).values("kind").annotate(
            at_risk=Count("pk", filter=Q(due_at__gt=now)), overdue=Count("pk", filter=Q(due_at__lte=now)),
        ).order_by()
        counts: dict[tuple[str, str], int] = {
            (row["kind"], status): row[status] for row in rows for status in ("at_risk", "overdue")
        }
        family = GaugeMetricFamily("amends_clocks", "Ticking deadline clocks at risk or overdue, by kind.",
                                   labels=["kind", "status"])
        for kind in ClockKind.values:
            for status in ("at_risk", "overdue"):
                family.add_metric([kind, status], counts.get((kind, status), 0))
        yield family

    def _workers(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        # Each worker records its beat every 10 s between its batches and jobs (jobs.worker). Read
        # through the app registry: monitoring and jobs are independent.
        beats = apps.get_model("jobs", "WorkerBeat").objects.order_by("worker").values_list("worker", "beat_at")
        family = GaugeMetricFamily(
            "amends_worker_beat_age_seconds",
            "Seconds since each worker (host:pid) last showed it lives; a worker stopped cleanly leaves the "
            "list, a killed or stuck one stays and ages.", labels=["worker"])
        newest = None
        for worker, beat_at in beats:
            family.add_metric([worker], _age(beat_at, now))
            newest = max(newest or beat_at, beat_at)
        yield family
        yield GaugeMetricFamily("amends_worker_heartbeat_age_seconds",
                                "Seconds since any worker last showed it lives (-1: none is running or known).",
                                value=_age(newest, now) if newest else -1)


def metrics_exposition() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(StateCollector())
    return generate_latest(registry)
