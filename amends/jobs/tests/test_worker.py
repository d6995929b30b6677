"""The worker runs what the web processes queued, once, and picks up after a worker that died."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from amends.accounts.roles import Role
from amends.api.services import complaint_accept_from_api
from amends.complaints.models import Complaint
from amends.core.pauses import pause_point
from amends.core.queues import LONG_QUEUE, QUEUES
from amends.duplicates.models import TextSignature
from amends.intake import services
from amends.intake.acknowledge import ACKNOWLEDGEMENT, acknowledge
from amends.intake.channels.email.services import email_receive
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.jobs.models import ScheduledRun, WorkerBeat
from amends.jobs.schedule import PERIODIC
from amends.jobs.worker import BEAT_EVERY, BEATS_KEPT, STALE_AFTER, AmendsWorker, LongJobs, tasks_reclaim_stale

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
EMAILS = Path(__file__).resolve().parents[2] / "intake" / "tests" / "fixtures" / "email"
# These tests look at the queued intake work alone.
# The worker closes stale connections between passes, as Django does between requests, so these
# tests commit for real.
pytestmark = pytest.mark.usefixtures("reference_data_restored")

NO_PERIODIC = [job.name for job in PERIODIC]


def receive(name: str = "utf8_quoted_printable.eml") -> Complaint:
    receipt = email_receive(raw=(EMAILS / name).read_bytes(), source="email:test")
    return receipt.message.complaint


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_the_acknowledgement_and_duplicate_check_wait_for_the_worker_then_happen_once():
    complaint = receive()
    assert mail.outbox == [] and not TextSignature.objects.filter(complaint=complaint).exists()
    # The follow-up (acknowledgement, duplicate check) and triage's flags and suggestions.
    assert sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)) == [
        "amends.intake.tasks.follow_up_registration_task", "amends.triage.tasks.triage_task"]

    AmendsWorker().run(once=True)
    [ack] = mail.outbox
    assert complaint.number in ack.subject
    assert TextSignature.objects.filter(complaint=complaint).exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}

    AmendsWorker().run(once=True)
    assert len(mail.outbox) == 1


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_the_process_queued_the_cards_of_accepted_submissions_and_checks_them(make_user):
    operator = make_user("api-client", Role.OPERATOR)
    accepted = [
        complaint_accept_from_api(actor=operator, channel="email", text=f"Курьер опоздал на {hours} часа.",
                                  customer={"name": "Орлова", "email": "orlova@example.ru"})
        for hours in (2, 3)
    ]
    assert not Complaint.objects.exists()

    AmendsWorker().run(once=True)
    cards = Complaint.objects.order_by("number")
    assert [c.number for c in cards] == [s.number for s in accepted]
    assert {c.registered_by for c in cards} == {operator}
    assert [c.tracking_code for c in cards] == [s.tracking_code for s in accepted]
    # Their duplicate checks ran in the same pass; the API sends no acknowledgement of its own.
    assert TextSignature.objects.filter(complaint__in=cards).count() == 2
    assert mail.outbox == []
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.REGISTERED}


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_task_left_running_by_a_killed_worker_runs_again_without_a_second_mail():
    complaint = receive()
    ack_task = DBTaskResult.objects.get(task_path="amends.intake.tasks.follow_up_registration_task")
    # The killed worker had claimed the task and sent the mail, but never recorded the success.
    ack_task.claim("dead-worker")
    acknowledge(complaint, "ru")
    assert len(mail.outbox) == 1
    DBTaskResult.objects.filter(pk=ack_task.pk).update(started_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))

    AmendsWorker().run(once=True)  # reclaims it and runs it
    ack_task.refresh_from_db()
    assert ack_task.status == "SUCCESSFUL"
    assert len(mail.outbox) == 1
    assert OutboundMessage.objects.filter(complaint=complaint, purpose=ACKNOWLEDGEMENT).count() == 1


@override_settings(TASKS=DB_QUEUE)
def test_a_task_still_running_recently_is_left_alone():
    receive()
    task = DBTaskResult.objects.first()
    task.claim("busy-worker")
    assert tasks_reclaim_stale() == 0
    assert tasks_reclaim_stale(timezone.now() + STALE_AFTER + timedelta(seconds=1)) == 1


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_refused_mail_is_kept_and_sent_by_the_retry_job():
    from amends.intake.outbound import outbound_retry_failed

    with override_settings(EMAIL_BACKEND="amends.jobs.tests.backends.RefusingBackend"):
        complaint = receive()
        AmendsWorker().run(once=True)
    outbound = OutboundMessage.objects.get(complaint=complaint, purpose=ACKNOWLEDGEMENT)
    assert outbound.sent_at is None and "refused" in outbound.error and outbound.attempts == 1

    assert outbound_retry_failed(older_than=timedelta(0)) == 1
    outbound.refresh_from_db()
    assert outbound.sent_at is not None and outbound.error == "" and outbound.attempts == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].extra_headers["Message-ID"] == outbound.message_id
    assert outbound_retry_failed(older_than=timedelta(0)) == 0


def left_running_by(task: DBTaskResult, worker: str) -> None:
    """The task claimed by a worker that died: still running, past STALE_AFTER."""
    task.claim(worker)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_job_whose_worker_died_twice_is_quarantined_with_the_reason_and_not_run_again():
    complaint = receive()
    job = DBTaskResult.objects.get(task_path="amends.intake.tasks.follow_up_registration_task")
    left_running_by(job, "dead-worker-1")
    assert tasks_reclaim_stale() == 1  # the first time it is put back
    job.refresh_from_db()
    left_running_by(job, "dead-worker-2")

    AmendsWorker().run(once=True)
    job.refresh_from_db()
    assert job.status == "FAILED" and job.exception_class_path == "amends.jobs.worker.JobStalled"
    assert "Stopped without finishing 2 times (workers dead-worker-1, dead-worker-2)" in job.traceback
    # Not run a third time: no duplicate check, no acknowledgement.
    assert mail.outbox == [] and not TextSignature.objects.filter(complaint=complaint).exists()
    message = InboundMessage.objects.get(complaint=complaint)
    assert message.status == InboundStatus.QUARANTINED
    assert "Stopped without finishing 2 times" in message.reason

    AmendsWorker().run(once=True)
    assert DBTaskResult.objects.get(pk=job.pk).status == "FAILED" and mail.outbox == []


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_the_admin_does_not_process_again_a_message_quarantined_after_its_card_was_registered(admin_client):
    complaint = receive()
    job = DBTaskResult.objects.get(task_path="amends.intake.tasks.follow_up_registration_task")
    for worker in ("dead-worker-1", "dead-worker-2"):
        left_running_by(job, worker)
        tasks_reclaim_stale()
        job.refresh_from_db()
    message = InboundMessage.objects.get(complaint=complaint, status=InboundStatus.QUARANTINED)

    action = {"action": "reprocess", "_selected_action": [message.pk]}
    response = admin_client.post("/admin/intake/inboundmessage/", action)
    assert response.status_code == 302
    # Processed again, the mail would have become a second card.
    assert Complaint.objects.count() == 1
    assert InboundMessage.objects.get(pk=message.pk).status == InboundStatus.QUARANTINED


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC, AMENDS_JOB_TIME_BUDGET=1)
def test_a_job_past_its_time_budget_is_interrupted_and_recorded_with_the_reason(monkeypatch):
    complaint = receive()
    monkeypatch.setattr("amends.intake.tasks.acknowledge", lambda *args: time.sleep(30))
    started = time.perf_counter()

    AmendsWorker().run(once=True)
    assert time.perf_counter() - started < 10
    job = DBTaskResult.objects.get(task_path="amends.intake.tasks.follow_up_registration_task")
    assert job.status == "FAILED" and job.exception_class_path == "amends.core.budget.TimeBudgetExceeded"
    message = InboundMessage.objects.get(complaint=complaint)
    assert message.status == InboundStatus.QUARANTINED
    assert "ran over its time budget of 1 s" in message.reason


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC, AMENDS_JOB_TIME_BUDGET=1)
def test_a_submission_past_the_time_budget_is_quarantined_with_the_reason(make_user, monkeypatch):
    operator = make_user("api-client", Role.OPERATOR)
    slow, fast = (
        complaint_accept_from_api(actor=operator, channel="email", text=f"Курьер опоздал на {hours} часа.",
                                  customer={"name": "Орлова", "email": "orlova@example.ru"})
        for hours in (2, 3)
    )
    prepare = services.complaint_prepare

    def stalls_on_the_first(**fields):
        if fields["number"] == slow.number:
            time.sleep(30)
        return prepare(**fields)

    # Where the worker's batch checks each card before it writes them all.
    monkeypatch.setattr(services, "complaint_prepare", stalls_on_the_first)
    started = time.perf_counter()

    AmendsWorker().run(once=True)
    assert time.perf_counter() - started < 10
    stalled = InboundMessage.objects.get(number=slow.number)
    assert stalled.status == InboundStatus.QUARANTINED and "ran over its time budget" in stalled.reason
    assert Complaint.objects.get().number == fast.number


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC, AMENDS_INTAKE_BATCH=2)
def test_each_batch_s_follow_ups_run_right_after_it_so_that_they_keep_pace(make_user, monkeypatch):
    from amends.intake import tasks

    operator = make_user("batch-operator", Role.OPERATOR)
    for n in range(5):
        complaint_accept_from_api(actor=operator, channel="email", text=f"Партия {n}: упаковка повреждена.")
    seen = []  # (cards the follow-up job checked, cards registered when it ran)
    monkeypatch.setattr(tasks, "duplicates_store_many",
                        lambda complaints: seen.append((len(complaints), Complaint.objects.count())))
    AmendsWorker(interval=0).tick()
    # A batch of 2 came full, so the next was up to twice as large: it took the other 3.
    assert seen == [(2, 2), (3, 5)]
    follow_ups = DBTaskResult.objects.filter(task_path="amends.intake.tasks.follow_up_registrations_task")
    assert follow_ups.filter(status="SUCCESSFUL").count() == 2


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC, AMENDS_INTAKE_BATCH=2)
@pytest.mark.parametrize(("share", "expected"), [
    (0, [(1, 2), (1, 6), (1, 6), (1, 6), (1, 6), (1, 6)]),  # one job after each batch, the rest after the burst
    (1000, [(1, 2), (1, 2), (1, 6), (1, 6), (1, 6), (1, 6)]),  # all of each batch's follow-ups right after it
])
def test_while_submissions_come_the_jobs_after_a_batch_take_a_share_of_its_time(make_user, monkeypatch, share,
                                                                               expected):
    from amends.intake import queue, tasks
    from amends.jobs import worker

    operator = make_user("burst-operator", Role.OPERATOR)
    for n in range(6):
        complaint_accept_from_api(actor=operator, channel="email", text=f"Партия {n}: упаковка повреждена.")
    for module in (queue, worker):
        monkeypatch.setattr(module, "FOLLOW_UP_CARDS", 1)
    monkeypatch.setattr(worker, "JOBS_SHARE", share)
    seen = []  # (cards the follow-up job checked, cards registered when it ran)
    monkeypatch.setattr(tasks, "duplicates_store_many",
                        lambda complaints: seen.append((len(complaints), Complaint.objects.count())))
    AmendsWorker(interval=0).tick()
    assert seen == expected


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_worker_beats_at_most_every_ten_seconds_and_old_beats_of_dead_workers_go():
    long_gone = timezone.now() - BEATS_KEPT - timedelta(minutes=1)
    WorkerBeat.objects.create(worker="gone:1", started_at=long_gone, beat_at=long_gone)
    worker = AmendsWorker()
    worker.run(once=True)
    [beat] = WorkerBeat.objects.all()
    assert beat.worker == worker.queue.worker_id
    first = beat.beat_at

    worker.run(once=True)
    assert WorkerBeat.objects.get().beat_at == first, "no write a pass"
    with time_machine.travel(first + BEAT_EVERY, tick=False):
        worker.run(once=True)
    assert WorkerBeat.objects.get().beat_at == first + BEAT_EVERY


def test_after_a_pass_with_work_the_worker_looks_again_soon_then_backs_off_to_its_interval(monkeypatch):
    from amends.jobs import worker as worker_module

    worker = AmendsWorker(interval=1.0)
    passes = iter([True, False, False, False, False, False, True, False])

    def tick() -> bool:
        found = next(passes, None)
        if found is None:
            worker.stop()
        return bool(found)

    slept: list[float] = []
    monkeypatch.setattr(worker, "tick", tick)
    monkeypatch.setattr(worker_module.time, "sleep", slept.append)
    worker.run()
    assert slept == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 0.05, 0.1, 0.2]


@task()
def a_long_job_a_complaint_arrives_during(username: str) -> int:
    """A long job during which an API complaint comes in; the cards there are at its pause point."""
    from amends.accounts.models import User

    complaint_accept_from_api(actor=User.objects.get(username=username), channel="email",
                              text="Пришёл во время долгой работы: чайник течёт.")
    pause_point()
    return Complaint.objects.count()


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_long_job_lets_the_worker_register_waiting_submissions_at_its_pause_points(make_user):
    make_user("night-operator", Role.OPERATOR)
    job = a_long_job_a_complaint_arrives_during.enqueue("night-operator")
    AmendsWorker(interval=0).run(once=True)
    job.refresh()
    assert job.return_value == 1 and Complaint.objects.count() == 1
    # Outside a worker nothing waits at a pause point: the next one arrives and stays queued.
    assert a_long_job_a_complaint_arrives_during.call("night-operator") == 1
    assert InboundMessage.objects.filter(status=InboundStatus.QUEUED).count() == 1


@task(queue_name=LONG_QUEUE)
def a_job_on_the_long_queue() -> str:
    return "long"


@task()
def a_job_on_the_default_queue() -> str:
    return "default"


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_worker_that_leaves_the_long_jobs_to_another_runs_everything_else(make_user):
    long_job, other_job = a_job_on_the_long_queue.enqueue(), a_job_on_the_default_queue.enqueue()
    AmendsWorker(interval=0, long_jobs=LongJobs.NONE).run(once=True)
    long_job.refresh(), other_job.refresh()
    assert (long_job.status, other_job.status) == ("READY", "SUCCESSFUL")

    AmendsWorker(interval=0, long_jobs=LongJobs.ONLY).run(once=True)
    long_job.refresh()
    assert long_job.status == "SUCCESSFUL" and long_job.return_value == "long"


@override_settings(TASKS=DB_QUEUE)
def test_a_long_jobs_worker_registers_no_intake_and_enqueues_no_periodic_job(make_user):
    operator = make_user("api-client", Role.OPERATOR)
    complaint_accept_from_api(actor=operator, channel="email", text="Курьер опоздал на два часа.",
                              customer={"name": "Орлова", "email": "orlova@example.ru"})
    other_job = a_job_on_the_default_queue.enqueue()
    AmendsWorker(interval=0, long_jobs=LongJobs.ONLY).run(once=True)
    other_job.refresh()
    assert other_job.status == "READY"
    assert not Complaint.objects.exists() and not ScheduledRun.objects.exists()

    AmendsWorker(interval=0, long_jobs=LongJobs.NONE).run(once=True)
    assert Complaint.objects.count() == 1 and ScheduledRun.objects.exists()


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_the_worker_looks_for_expired_claims_every_few_seconds_not_after_every_batch(monkeypatch):
    from amends.jobs import worker as worker_module

    asked: list[bool] = []
    monkeypatch.setattr(worker_module, "inbound_retry_expired", lambda limit: asked.append(True) or 0)
    clock = [1000.0]
    monkeypatch.setattr(worker_module.time, "monotonic", lambda: clock[0])
    worker = AmendsWorker(interval=0)
    for seconds in (0, 1, 4.9, 5, 6, 10.1):
        clock[0] = 1000.0 + seconds
        worker._process_queued_messages()
    assert len(asked) == 3  # at 0, 5 and 10.1 s
    # Some found: more may be left beyond the batch, so the next pass looks again.
    left = [7, 2, 0]
    monkeypatch.setattr(worker_module, "inbound_retry_expired", lambda limit: asked.append(True) or left.pop(0))
    asked.clear()
    for seconds in (16, 16.1, 16.2, 16.3, 17):
        clock[0] = 1000.0 + seconds
        worker._process_queued_messages()
    assert len(asked) == 3  # at 16 (7 found), 16.1 (2 found), 16.2 (none), then not until 21 s


@override_settings(TASKS=DB_QUEUE)
def test_finished_jobs_results_go_once_kept_long_enough_and_the_rest_stay():
    from amends.jobs import worker
    from amends.jobs.worker import FAILED_KEPT, SUCCEEDED_KEPT, job_results_prune

    now = timezone.now()
    ages = {"old success": ("SUCCESSFUL", SUCCEEDED_KEPT), "recent success": ("SUCCESSFUL", SUCCEEDED_KEPT / 2),
            "old failure": ("FAILED", FAILED_KEPT), "recent failure": ("FAILED", SUCCEEDED_KEPT * 2),
            "waiting": ("READY", None), "running": ("RUNNING", None)}
    for name, (status, age) in ages.items():
        job = a_job_on_the_default_queue.enqueue()
        finished = now - age - timedelta(seconds=1) if age else None
        DBTaskResult.objects.filter(pk=job.id).update(status=status, finished_at=finished, return_value=name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker, "PRUNE_CHUNK", 1)  # chunk after chunk, at most one a run
        patch.setattr(worker, "PRUNE_CHUNKS", 1)
        assert job_results_prune(now) == 1
        assert job_results_prune(now) == 1
        assert job_results_prune(now) == 0
    left = set(DBTaskResult.objects.values_list("return_value", flat=True))
    assert left == {"recent success", "recent failure", "waiting", "running"}
