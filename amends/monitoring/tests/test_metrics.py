import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.core.queues import QUEUES
from amends.deadlines.models import Clock
from amends.intake.models import InboundMessage, InboundStatus
from amends.jobs.models import WorkerBeat
from amends.jobs.tasks import deadlines_sweep_task

pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_request_latency_by_view_name(client, operator):
    client.force_login(operator)
    before = scrape(client).get(("amends_http_request_duration_seconds_count",
                                 (("method", "GET"), ("status", "2xx"), ("view", "complaints:list"))), 0)
    assert client.get("/complaints/").status_code == 200
    client.get("/no/such/page/")
    figures = scrape(client)
    assert figures[("amends_http_request_duration_seconds_count",
                    (("method", "GET"), ("status", "2xx"), ("view", "complaints:list")))] == before + 1
    assert figures[("amends_http_request_duration_seconds_count",
                    (("method", "GET"), ("status", "4xx"), ("view", "unresolved")))] >= 1
    assert not any("/metrics" in str(labels) or "monitoring" in str(labels) for _name, labels in figures)


def test_queue_depth_and_registration_lag(client):
    now = timezone.now()
    for minutes, status in [(3, InboundStatus.QUEUED), (1, InboundStatus.QUEUED), (2, InboundStatus.RECEIVED),
                            (60, InboundStatus.REGISTERED)]:
        InboundMessage.objects.create(channel=Channel.WEB_FORM, source="web form", raw=b"{}", status=status,
                                      received_at=now - timedelta(minutes=minutes))
    figures = scrape(client)
    assert figures[("amends_intake_queue_depth", (("status", "queued"),))] == 2
    assert figures[("amends_intake_queue_depth", (("status", "received"),))] == 1
    assert 180 <= figures[("amends_intake_registration_lag_seconds", ())] < 240


def test_nothing_waiting_is_no_lag(client):
    figures = scrape(client)
    assert figures[("amends_intake_registration_lag_seconds", ())] == 0
    assert figures[("amends_intake_queue_depth", (("status", "queued"),))] == 0


def test_clocks_at_risk_and_overdue_by_kind(client, operator, contact):
    now = timezone.now()
    at_risk, overdue = (
        Clock.objects.get(complaint=complaint_register(actor=operator, channel=Channel.PHONE, contact=contact,
                                                       wording=wording), met_at__isnull=True)
        for wording in ("Курьер опоздал.", "Товар пришёл разбитым.")
    )
    Clock.objects.filter(pk=at_risk.pk).update(at_risk_at=now - timedelta(hours=1), due_at=now + timedelta(hours=1))
    Clock.objects.filter(pk=overdue.pk).update(at_risk_at=now - timedelta(hours=2), due_at=now - timedelta(hours=1))
    figures = scrape(client)
    assert figures[("amends_clocks", (("kind", at_risk.kind), ("status", "at_risk")))] == 1
    assert figures[("amends_clocks", (("kind", overdue.kind), ("status", "overdue")))] == 1
    assert sum(value for (name, _labels), value in figures.items() if name == "amends_clocks") == 2


def test_jobs_waiting_and_each_workers_heartbeat(client, settings):
    assert scrape(client)[("amends_worker_heartbeat_age_seconds", ())] == -1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
    deadlines_sweep_task.enqueue()
    now = timezone.now()
    for worker, seconds in [("app-1:41", 5), ("app-2:77", 900)]:
        WorkerBeat.objects.create(worker=worker, started_at=now - timedelta(hours=1),
                                  beat_at=now - timedelta(seconds=seconds))
    figures = scrape(client)
    assert figures[("amends_jobs_queue_depth", ())] == 1
    assert 5 <= figures[("amends_worker_beat_age_seconds", (("worker", "app-1:41"),))] < 60
    assert 900 <= figures[("amends_worker_beat_age_seconds", (("worker", "app-2:77"),))] < 960
    assert 5 <= figures[("amends_worker_heartbeat_age_seconds", ())] < 60, "the newest beat of any worker"


def test_metrics_refused_to_other_addresses_without_the_token(client, settings):
    settings.AMENDS_METRICS_TOKEN = "s3cret-token"
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **elsewhere).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **elsewhere).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **elsewhere).status_code == 200
    assert client.get("/metrics").status_code == 200, "loopback is allowed by default"


def test_metrics_allowed_from_a_listed_network_behind_the_proxy(client, settings):
    import ipaddress

    settings.AMENDS_METRICS_TOKEN = ""
    settings.AMENDS_METRICS_ALLOW = [ipaddress.ip_network("10.1.0.0/16")]
    settings.AMENDS_TRUSTED_PROXIES = 1
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


REQUEST_IN_ANOTHER_PROCESS = """
import django
django.setup()
from django.test import Client
assert Client().get("/favicon.ico", HTTP_HOST="localhost").status_code == 302  # to the static icon
"""


def test_server_processes_timings_add_up(client, monkeypatch, tmp_path):
    """Two server processes write their timings to PROMETHEUS_MULTIPROC_DIR; a scrape of either counts both."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": ""}
    root = Path(django_settings.BASE_DIR)
    for _ in range(2):
        subprocess.run([sys.executable, "-c", REQUEST_IN_ANOTHER_PROCESS], env=env, cwd=root, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    figures = scrape(client)
    counts = [value for (name, labels), value in figures.items()
              if name == "amends_http_request_duration_seconds_count" and ("view", "favicon") in labels]
    assert counts == [2]


def test_a_database_outage_still_gives_the_timings(client):
    with mock.patch("amends.monitoring.metrics.InboundMessage.objects.filter",
                    side_effect=OperationalError("could not connect to server")):
        figures = scrape(client)
    assert figures[("amends_database_up", ())] == 0
    assert not any(name.startswith("amends_intake") for name, _labels in figures)
    assert scrape(client)[("amends_database_up", ())] == 1
