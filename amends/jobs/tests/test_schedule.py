"""Periodic slots, and each slot enqueued once however many workers look at it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from amends.core.queues import QUEUES
from amends.jobs.models import ScheduledRun
from amends.jobs.schedule import PERIODIC, Periodic, schedule_due, scheduled_runs_prune
from amends.jobs.tasks import weekly_summary_due

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
SWEEP = Periodic("deadlines_sweep", "amends.jobs.tasks.deadlines_sweep_task", timedelta(minutes=1))


def moscow(*args) -> datetime:
    return datetime(*args, tzinfo=UTC) - timedelta(hours=3)


def test_a_minute_job_has_a_slot_per_minute():
    assert SWEEP.slot(datetime(2026, 11, 23, 10, 5, 59, tzinfo=UTC)) == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    assert SWEEP.slot(datetime(2026, 11, 23, 10, 6, 0, tzinfo=UTC)) == datetime(2026, 11, 23, 10, 6, tzinfo=UTC)


def test_the_weekly_summary_goes_from_monday_eight_in_the_company_time_zone():
    assert not weekly_summary_due(moscow(2026, 11, 23, 7, 59))  # Monday, a minute early
    assert weekly_summary_due(moscow(2026, 11, 23, 8, 0))
    assert weekly_summary_due(moscow(2026, 11, 25, 3, 0))  # later in the week: a missed one is caught up
    assert weekly_summary_due(moscow(2026, 11, 29, 23, 59))


def test_every_periodic_job_names_a_task_that_exists():
    from django.utils.module_loading import import_string

    for job in PERIODIC:
        assert hasattr(import_string(job.task), "enqueue"), job.name


@override_settings(TASKS=DB_QUEUE)
def test_a_slot_is_enqueued_once_however_often_workers_look(db):
    now = datetime(2026, 11, 23, 10, 5, 20, tzinfo=UTC)
    assert schedule_due(now, [SWEEP]) == ["deadlines_sweep"]
    assert schedule_due(now + timedelta(seconds=30), [SWEEP]) == []  # same minute, another worker
    assert DBTaskResult.objects.filter(task_path="amends.jobs.tasks.deadlines_sweep_task").count() == 1
    assert schedule_due(now + timedelta(minutes=1), [SWEEP]) == ["deadlines_sweep"]
    assert DBTaskResult.objects.count() == 2 and ScheduledRun.objects.count() == 2


@override_settings(TASKS=DB_QUEUE)
def test_a_worker_asks_the_database_again_only_when_a_new_slot_begins(db, django_assert_num_queries):
    now = datetime(2026, 11, 23, 10, 5, 20, tzinfo=UTC)
    other = Periodic("capa_deadlines", "amends.jobs.tasks.capa_deadlines_task", timedelta(minutes=5))
    known: dict = {}
    schedule_due(now - timedelta(minutes=1), [SWEEP], known={})  # the slot before, by another worker
    assert schedule_due(now, [SWEEP, other], known) == ["deadlines_sweep", "capa_deadlines"]
    with django_assert_num_queries(0):
        assert schedule_due(now + timedelta(seconds=30), [SWEEP, other], known) == []
    # Another worker took the next minute's slot first: asked once, then known.
    assert schedule_due(now + timedelta(minutes=1), [SWEEP]) == ["deadlines_sweep"]
    assert schedule_due(now + timedelta(minutes=1), [SWEEP, other], known) == []
    with django_assert_num_queries(0):
        assert schedule_due(now + timedelta(minutes=1, seconds=20), [SWEEP, other], known) == []
    assert DBTaskResult.objects.count() == 4


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=["mail_poll"])
def test_disabled_jobs_are_not_enqueued(db):
    started = schedule_due(datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
    assert "mail_poll" not in started and "deadlines_sweep" in started


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_QUEUE)
def test_two_workers_racing_for_a_slot_enqueue_it_once(reference_data_restored, at_once):
    now = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    results = at_once(lambda: schedule_due(now, [SWEEP]), 4)
    assert sorted(map(len, results)) == [0, 0, 0, 1]
    assert DBTaskResult.objects.count() == 1


def test_old_slots_are_pruned(db):
    run = ScheduledRun.objects.create(job="deadlines_sweep", slot=datetime(2026, 1, 1, tzinfo=UTC))
    ScheduledRun.objects.filter(pk=run.pk).update(enqueued_at=datetime(2026, 1, 1, tzinfo=UTC))
    ScheduledRun.objects.create(job="deadlines_sweep", slot=datetime(2026, 11, 23, tzinfo=UTC))
    assert scheduled_runs_prune(datetime(2026, 11, 23, tzinfo=UTC)) == 1
    assert ScheduledRun.objects.count() == 1


def test_every_periodic_job_runs(db):
    from django.utils.module_loading import import_string

    for job in PERIODIC:
        import_string(job.task).call()
