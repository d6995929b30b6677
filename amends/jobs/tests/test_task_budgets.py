"""A task's own time budget (core.budget.job_time_budget) in place of the worker's default: the worker
interrupts the job at it and records it as failed with the reason, and no budget reaches STALE_AFTER."""

import time

import pytest
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from amends.analytics.tasks import register_export_task
from amends.core.budget import job_time_budget
from amends.core.queues import QUEUES
from amends.jobs.schedule import PERIODIC
from amends.jobs.worker import STALE_AFTER, AmendsWorker

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
NO_PERIODIC = [job.name for job in PERIODIC]
pytestmark = pytest.mark.usefixtures("reference_data_restored")
XLSX_ROWS_PER_CPU_SECOND = 2_000  # measured for the register export (docs/analytics.md)


@task()
@job_time_budget(1)
def short_budget_task() -> None:
    time.sleep(30)


@task()
@job_time_budget(3600)
def greedy_task() -> None:
    return None


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC, AMENDS_JOB_TIME_BUDGET=600)
def test_a_task_is_interrupted_at_its_own_budget_not_the_default():
    short_budget_task.enqueue()
    started = time.perf_counter()

    AmendsWorker().run(once=True)
    assert time.perf_counter() - started < 10
    job = DBTaskResult.objects.get(task_path=f"{__name__}.short_budget_task")
    assert job.status == "FAILED" and job.exception_class_path == "amends.core.budget.TimeBudgetExceeded"
    assert "ran over its time budget of 1 s" in job.traceback


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC, AMENDS_JOB_TIME_BUDGET=600)
def test_no_declared_budget_reaches_the_stale_limit_and_the_export_fits_a_million_xlsx_rows():
    greedy_task.enqueue()
    export = register_export_task.enqueue(1)
    worker = AmendsWorker()
    budgets = {job.task_path: worker.queue.budget_of(job) for job in DBTaskResult.objects.all()}
    assert budgets[f"{__name__}.greedy_task"] < STALE_AFTER.total_seconds()
    export_budget = budgets[export.task.module_path]
    assert 1_000_000 / XLSX_ROWS_PER_CPU_SECOND < export_budget < STALE_AFTER.total_seconds()
    assert export_budget > 600  # more than the default the other jobs have
