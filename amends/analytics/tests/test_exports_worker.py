"""The register export as the worker runs it: queued by the page, written by `amends worker`, a failure
recorded on the export without stopping the worker, a run cut short started over."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from amends.analytics.charts import CHARTS, ChartData, ChartSpec
from amends.analytics.export_jobs import register_export_run
from amends.analytics.models import RegisterExport
from amends.analytics.tasks import register_export_start, register_export_task
from amends.complaints.choices import Channel, State
from amends.complaints.models import Complaint
from amends.core.queues import QUEUES
from amends.jobs.schedule import PERIODIC
from amends.jobs.worker import AmendsWorker

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
NO_PERIODIC = [job.name for job in PERIODIC]
# The worker closes connections between passes: these tests commit for real.
pytestmark = pytest.mark.usefixtures("reference_data_restored")


@pytest.fixture
def cards():
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for i in range(12):
        Complaint.objects.create(
            number=f"2026-{i + 1:06d}", received_at=start + timedelta(hours=i), wording=f"Жалоба {i}",
            channel=Channel.EMAIL if i % 2 else Channel.PHONE, state=State.WITHDRAWN if i == 5 else State.REGISTERED,
        )


@pytest.fixture
def broken_chart():
    def drill(user, filters, point, series):
        raise RuntimeError("the drill-down broke")

    CHARTS["test_broken"] = ChartSpec("test_broken", "Broken", lambda user, filters: ChartData(
        "test_broken", "Broken", "bars", [], []), drill)
    yield
    del CHARTS["test_broken"]


def sql_numbers(channel: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM complaints_complaint WHERE channel = %s AND state NOT IN (%s, %s) "
                       "ORDER BY number", (channel, State.DUPLICATE, State.WITHDRAWN))
        return [number for (number,) in cursor.fetchall()]


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_the_worker_writes_the_export_and_a_failed_one_is_recorded_without_stopping_it(cards, qms, broken_chart):
    broken = RegisterExport.objects.create(user=qms, source="drill", query="chart=test_broken&point=x",
                                           format="csv", language="en")
    register_export_task.enqueue(broken.pk)
    export = register_export_start(qms, source="list", query="channel=email&sort=number", fmt="csv", language="en")
    assert export.state == "queued" and not export.file

    AmendsWorker().run(once=True)

    broken.refresh_from_db()
    assert broken.state == "failed" and broken.error == "RuntimeError: the drill-down broke" and broken.finished_at
    export.refresh_from_db()
    assert export.state == "done" and export.finished_at and export.rows_done == export.rows_total == 5
    with export.file.open("rb") as stored:
        _header, *lines = csv.reader(io.StringIO(stored.read().decode("utf-8-sig"), newline=""))
    assert [line[0] for line in lines] == sql_numbers(Channel.EMAIL)
    statuses = dict(DBTaskResult.objects.values_list("args_kwargs__args__0", "status"))
    assert statuses == {broken.pk: "FAILED", export.pk: "SUCCESSFUL"}


def test_a_run_cut_short_by_a_dead_worker_starts_over_and_a_finished_one_is_left_alone(cards, qms):
    export = RegisterExport.objects.create(user=qms, source="list", query="channel=phone", format="xlsx",
                                           language="ru", state=RegisterExport.State.RUNNING, rows_done=3)
    done = register_export_run(export.pk)
    assert (done.state, done.rows_done, done.rows_total) == ("done", len(sql_numbers(Channel.PHONE)), 6)
    name = done.file.name
    again = register_export_run(export.pk)
    assert again.file.name == name and again.finished_at == done.finished_at


@pytest.fixture
def slow_chart():
    def drill(user, filters, point, series):
        time.sleep(30)

    CHARTS["test_slow"] = ChartSpec("test_slow", "Slow", lambda user, filters: ChartData(
        "test_slow", "Slow", "bars", [], []), drill)
    yield
    del CHARTS["test_slow"]


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_an_export_past_its_time_budget_is_recorded_as_failed_with_the_reason(cards, qms, slow_chart, monkeypatch):
    monkeypatch.setattr(register_export_task.func, "time_budget", 1)
    export = RegisterExport.objects.create(user=qms, source="drill", query="chart=test_slow&point=x",
                                           format="xlsx", language="en")
    register_export_task.enqueue(export.pk)
    started = time.perf_counter()

    AmendsWorker().run(once=True)
    assert time.perf_counter() - started < 10
    export.refresh_from_db()
    assert export.state == "failed" and export.finished_at and not export.file
    assert export.error == ("The export took longer than the worker allows (1 s) and was stopped: export fewer "
                            "cards, or as CSV, which is written faster.")
    assert DBTaskResult.objects.get(args_kwargs__args__0=export.pk).status == "FAILED"
