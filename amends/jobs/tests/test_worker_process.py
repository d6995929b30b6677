"""A real `amends worker` process killed in the middle of the deadline sweep: nothing it was doing
is half-done, and the next run fires every escalation and sends every notification exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from amends.accounts.roles import Role
from amends.api.services import complaint_accept_from_api
from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.core.queues import LONG_QUEUE, QUEUES
from amends.deadlines.models import Clock
from amends.jobs.models import WorkerBeat
from amends.jobs.worker import AmendsWorker
from amends.notifications.delivery import notifications_deliver
from amends.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[3]
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
ONLY_THE_SWEEP = [
    "mail_poll", "notifications_deliver", "outbound_retry", "idempotency_purge", "weekly_summary", "retention",
    "timeline_seal", "capa_proposals",
]

# The real worker, with the sweep made to stop for a while inside its first transaction, after
# it has claimed the clocks and written the timeline events.
HARNESS = """
import pathlib, sys, time
import django
django.setup()
from amends.deadlines import sweep
insert_events = sweep._insert_events
def insert_then_stall(events):
    insert_events(events)
    pathlib.Path(sys.argv[1]).write_text("inside the sweep")
    time.sleep(120)
sweep._insert_events = insert_then_stall
from django.core.management import call_command
call_command("worker", "--interval", "0.2")
"""

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data_restored")]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def worker_process(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": database_url(),
        "AMENDS_VAR_DIR": str(tmp_path), "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "AMENDS_JOBS_DISABLED": ",".join(ONLY_THE_SWEEP),
    }
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(condition, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode(errors="replace"))
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("timed out: " + process.stdout.read().decode(errors="replace"))
        time.sleep(0.1)


@pytest.fixture
def overdue_card(make_user, contact):
    make_user("head", Role.QMS_HEAD, email="head@example.com")
    make_user("director", Role.MANAGER, email="director@example.com")
    # Received three days ago: both clocks are past 75 %, 100 % and 200 % of their allowance.
    return complaint_register(
        actor=None, channel=Channel.WEB_FORM, wording="Заказ не доставлен", contact=contact,
        received_at=timezone.now() - timedelta(days=3),
    )


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=ONLY_THE_SWEEP)
def test_a_worker_killed_mid_sweep_leaves_nothing_half_done_and_the_next_run_fires_once(tmp_path, overdue_card):
    clocks = Clock.objects.filter(complaint=overdue_card)
    assert clocks.count() == 2 and set(clocks.values_list("level", flat=True)) == {0}
    marker = tmp_path / "in-sweep"

    process = worker_process(tmp_path, "-c", HARNESS, str(marker))
    wait_for(marker.exists, 60, process)
    process.kill()  # SIGKILL: no clean-up of any kind
    process.wait(timeout=10)

    assert set(clocks.values_list("level", flat=True)) == {0}
    assert not overdue_card.events.filter(kind=EventKind.DEADLINE).exists()
    assert not Notification.objects.exists()

    # The next minute's sweep, run by a surviving worker.
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        AmendsWorker().run(once=True)
    assert set(clocks.values_list("level", flat=True)) == {3}
    # Past every step at the first sweep: each clock fires only the highest, once.
    assert overdue_card.events.filter(kind=EventKind.DEADLINE).count() == 2
    # One notice each, listing both clocks: the QMS head (whom the passed steps would have told,
    # nobody being responsible yet) and the director.
    assert Notification.objects.filter(user__username="head").count() == 1
    assert Notification.objects.filter(user__username="director").count() == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        AmendsWorker().run(once=True)
    assert overdue_card.events.filter(kind=EventKind.DEADLINE).count() == 2
    assert Notification.objects.count() == 2

    notifications_deliver()
    notifications_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == ["director@example.com", "head@example.com"]


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=ONLY_THE_SWEEP)
def test_the_worker_stops_cleanly_on_sigterm(tmp_path, overdue_card):
    process = worker_process(tmp_path, "-m", "django", "worker", "--interval", "0.2")
    clocks = Clock.objects.filter(complaint=overdue_card)
    wait_for(lambda: set(clocks.values_list("level", flat=True)) == {3}, 60, process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert overdue_card.events.filter(kind=EventKind.DEADLINE).count() == 2  # each clock its highest step


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=ONLY_THE_SWEEP)
def test_each_worker_beats_and_only_a_killed_one_leaves_its_beat_to_age(tmp_path):
    stopped = worker_process(tmp_path, "-m", "django", "worker", "--interval", "0.2", "--long-jobs", "here")
    killed = worker_process(tmp_path, "-m", "django", "worker", "--interval", "0.2", "--long-jobs", "here")
    beats = WorkerBeat.objects.all()
    wait_for(lambda: beats.count() == 2, 60, stopped)
    assert {worker.rsplit(":", 1)[1] for worker in beats.values_list("worker", flat=True)} == {
        str(stopped.pid), str(killed.pid)}

    stopped.send_signal(signal.SIGTERM)
    assert stopped.wait(timeout=15) == 0
    killed.kill()
    killed.wait(timeout=10)
    [left] = beats
    assert left.worker.endswith(f":{killed.pid}"), "a clean stop removes the worker's beat"
    assert left.beat_at >= left.started_at


@task(queue_name=LONG_QUEUE)
def hold_until_released(started: str, release: str) -> int:
    """A long job: it says it started, then waits (a minute at most) for the test to let it finish."""
    Path(started).write_text("started")
    deadline = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return os.getpid()


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=ONLY_THE_SWEEP)
def test_a_long_job_runs_in_the_worker_s_second_process_while_complaints_get_their_cards(tmp_path, make_user):
    operator = make_user("night-operator", Role.OPERATOR)
    started, release = tmp_path / "started", tmp_path / "release"
    held = hold_until_released.enqueue(str(started), str(release))
    worker = worker_process(tmp_path, "-m", "config.cli", "worker", "--interval", "0.2")
    wait_for(started.exists, 60, worker)

    complaint_accept_from_api(actor=operator, channel="email", text="Пришёл во время обучения: чайник течёт.")
    wait_for(Complaint.objects.exists, 30, worker)
    held.refresh()
    assert held.status == "RUNNING", "the card came while the long job was still running"

    release.write_text("go")
    wait_for(lambda: DBTaskResult.objects.get(id=held.id).status == "SUCCESSFUL", 30, worker)
    held.refresh()
    assert held.return_value != worker.pid, "run by the second process"
    assert WorkerBeat.objects.filter(worker__endswith=f":{held.return_value}").exists()

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=45) == 0
    assert not WorkerBeat.objects.exists(), "both processes stopped cleanly"


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=ONLY_THE_SWEEP)
def test_the_long_jobs_process_is_started_again_if_it_dies_and_leaves_once_its_worker_is_killed(tmp_path):
    worker = worker_process(tmp_path, "-m", "config.cli", "worker", "--interval", "0.2")
    beats = WorkerBeat.objects.exclude(worker__endswith=f":{worker.pid}")
    wait_for(beats.exists, 60, worker)
    [first] = beats.values_list("worker", flat=True)
    os.kill(int(first.rsplit(":", 1)[1]), signal.SIGKILL)

    wait_for(lambda: beats.exclude(worker=first).exists(), 60, worker)
    [second] = beats.exclude(worker=first).values_list("worker", flat=True)
    worker.kill()
    worker.wait(timeout=10)
    # The orphan notices within its interval and stops cleanly, which removes its beat.
    deadline = time.monotonic() + 30
    while WorkerBeat.objects.filter(worker=second).exists():
        assert time.monotonic() < deadline, "the long jobs' process outlived its worker"
        time.sleep(0.2)
