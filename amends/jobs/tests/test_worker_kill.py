"""A real worker killed with SIGKILL at random points while it registers a batch of stored web-form
and API submissions, with customers opening their tracking links meanwhile, then run once more to
the end: every number that was given out has exactly one card, and no customer gets a mail twice."""

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amends.api.services import complaint_accept_from_api
from amends.complaints.choices import EventKind
from amends.complaints.models import Complaint, TimelineEvent
from amends.core.queues import QUEUES
from amends.deadlines.models import Clock
from amends.intake.acknowledge import ACKNOWLEDGEMENT
from amends.intake.channels.web_form.services import web_form_submit
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.intake.quarantine import INBOUND_MAX_ATTEMPTS
from amends.intake.services import inbound_reprocess

from .test_worker_process import ROOT, database_url

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
PERIODIC = ("deadlines_sweep,notifications_deliver,mail_poll,outbound_retry,idempotency_purge,weekly_summary,"
            "retention,timeline_seal")
WEB_FORM, API, KILLS, SEED = 36, 18, 6, 20261206

# The real `amends worker`, after a mark that Django is set up (so a kill lands in its work, not
# in its start).
WORKER = """
import pathlib, sys
import django
django.setup()
pathlib.Path(sys.argv[1]).write_text("ready")
from django.core.management import call_command
call_command("worker", "--interval", "0.05")
"""
# The clean run at the end: as a worker does once the stale-task timeout has passed, then the
# retry of mail that was never tried.
LAST_RUN = """
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from amends.jobs.worker import STALE_AFTER, tasks_reclaim_stale
tasks_reclaim_stale(timezone.now() + STALE_AFTER + timedelta(seconds=1))
from django.core.management import call_command
call_command("worker", "--once")
from amends.intake.outbound import outbound_retry_failed
outbound_retry_failed(older_than=timedelta(0))
"""

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data_restored")]


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": database_url(),
        "AMENDS_VAR_DIR": str(tmp_path), "AMENDS_JOBS_DISABLED": PERIODIC,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"), "AMENDS_INBOUND_CLAIM_TIMEOUT": "0.3",
        # Small batches, so that kills land in the middle of a batch as well as between them.
        "AMENDS_INTAKE_BATCH": "5",
    }


def accept_batch(operator) -> tuple[list[str], list[str]]:
    """What the web form and the API answered: a number each."""
    web = [
        web_form_submit(
            data={"name": f"Клиент {i}", "email": f"customer{i}@example.ru",
                  "text": f"Заказ {1000 + i}: {'чайник протекает' if i % 2 else 'курьер опоздал'} уже {i} дней."},
            consent_text="Согласен", attachments=[], language="ru",
        ).number
        for i in range(WEB_FORM)
    ]
    api = [
        complaint_accept_from_api(actor=operator, channel="email", text=f"Партия {i}: упаковка повреждена.",
                                  customer={"name": f"Покупатель {i}", "email": f"buyer{i}@example.ru"}).number
        for i in range(API)
    ]
    return web, api


def nothing_half_registered() -> None:
    """Each submission is registered, its card whole (its registration on the timeline, its clocks),
    or still waiting with no card of its number: a batch a kill cut short left nothing of itself."""
    cards = {number: pk for number, pk in Complaint.objects.values_list("number", "pk")}
    for number, status, complaint_id in InboundMessage.objects.values_list("number", "status", "complaint_id"):
        if status == InboundStatus.REGISTERED:
            assert cards[number] == complaint_id
        else:
            assert status in (InboundStatus.QUEUED, InboundStatus.RECEIVED) and number not in cards
    registered = Counter(TimelineEvent.objects.filter(kind=EventKind.REGISTERED).values_list("complaint_id", flat=True))
    assert registered == Counter(cards.values())
    assert set(Clock.objects.values_list("complaint_id", flat=True)) == set(cards.values())


def work_done() -> int:
    return Complaint.objects.count() + DBTaskResult.objects.filter(status="SUCCESSFUL").count()


def work_left() -> bool:
    """Work the next worker can take now: a job a killed worker left running waits for the stale
    timeout, which only the last run passes."""
    return (InboundMessage.objects.exclude(status=InboundStatus.REGISTERED).exists()
            or DBTaskResult.objects.filter(status="READY").exists())


def last_run(env: dict[str, str]) -> None:
    last = subprocess.run([sys.executable, "-c", LAST_RUN], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert last.returncode == 0, last.stdout.decode(errors="replace") + last.stderr.decode(errors="replace")


def wait_until(condition, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, log.read_text(errors="replace")
        if time.monotonic() >= deadline:
            process.kill()  # a worker left running would hold the test database for the tests after this one
            raise AssertionError("the worker did nothing: " + log.read_text(errors="replace"))
        time.sleep(0.01)


def mails_sent(folder: Path) -> Counter:
    """Each mail the file backend wrote, by its Message-ID."""
    found: Counter = Counter()
    for path in folder.glob("*") if folder.exists() else []:
        found.update(re.findall(r"^Message-ID: (\S+)", path.read_text(errors="replace"), flags=re.MULTILINE))
    return found


@override_settings(TASKS=DB_QUEUE)
def test_a_worker_killed_at_random_points_loses_no_complaint_and_sends_nothing_twice(tmp_path, operator, client):
    web, api = accept_batch(operator)
    numbers = web + api
    assert len(set(numbers)) == len(numbers) and not Complaint.objects.exists()
    rng = random.Random(SEED)
    env = environment(tmp_path)
    kills = cut_in_registration = tracked = 0
    for _round in range(KILLS):
        if not work_left():
            break
        ready, log = tmp_path / f"ready-{_round}", tmp_path / f"worker-{_round}.log"
        with log.open("wb") as output:
            process = subprocess.Popen([sys.executable, "-c", WORKER, str(ready)], cwd=ROOT, env=env,
                                       stdout=output, stderr=subprocess.STDOUT)
        wait_until(ready.exists, process, log)
        started = timezone.now()
        # A customer opens their tracking link while the worker may be registering the same card.
        number = rng.choice(numbers)
        code = InboundMessage.objects.get(number=number).tracking_code
        assert client.get(f"/track/{number}/?code={code}").status_code == 200
        tracked += 1
        # Killed in the middle of its work, at a random moment: once it has claimed a batch (mostly
        # while registering it), or once it has done something (mostly in a follow-up job).
        done_before = work_done()
        if rng.random() < 0.5:
            # A batch this worker claimed, not a claim a kill left behind.
            claimed = InboundMessage.objects.filter(status=InboundStatus.RECEIVED, claimed_at__gt=started)
            wait_until(lambda: claimed.exists() or work_done() > done_before or not work_left(),  # noqa: B023
                       process, log)
            time.sleep(rng.uniform(0, 0.02))
        else:
            wait_until(lambda: work_done() > done_before or not work_left(), process, log)  # noqa: B023 - called at once
            time.sleep(rng.uniform(0, 0.25))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        kills += 1
        # A claim left behind: killed between taking a submission and committing its card.
        cut_in_registration += InboundMessage.objects.filter(status=InboundStatus.RECEIVED).count()
        nothing_half_registered()
    time.sleep(0.4)  # past the claim timeout
    last_run(env)
    # Two kills that landed while one submission was retried alone quarantine it, with the reason, so
    # that it cannot stop the worker a third time: kept, not lost; processed again as an administrator does.
    stalled = InboundMessage.objects.filter(status=InboundStatus.QUARANTINED)
    assert not stalled.filter(attempts__lt=INBOUND_MAX_ATTEMPTS).exists()
    quarantined = len(stalled)
    if quarantined:
        for message in stalled:
            inbound_reprocess(message)
        last_run(env)

    # Every number given out has its card, once.
    assert sorted(Complaint.objects.values_list("number", flat=True)) == sorted(numbers)
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.REGISTERED}
    assert set(DBTaskResult.objects.values_list("status", flat=True)) <= {"SUCCESSFUL"}
    # No mail twice: one acknowledgement per web-form card (the API sends none), each written once.
    acks = OutboundMessage.objects.filter(purpose=ACKNOWLEDGEMENT)
    per_card = Counter(acks.values_list("complaint__number", flat=True))
    assert set(per_card) == set(web) and set(per_card.values()) == {1}
    sent = mails_sent(tmp_path / "mail")
    double_sent = sum(count - 1 for count in sent.values() if count > 1)
    assert double_sent == 0
    assert set(sent) <= set(acks.values_list("message_id", flat=True))
    # Only a kill between the mark of an attempt and the mail's sending can leave one unsent (it is
    # never sent again rather than maybe twice); at most one per kill.
    unsent = acks.filter(sent_at__isnull=True)
    assert unsent.count() <= kills and not unsent.exclude(error="").exists()
    assert set(acks.exclude(sent_at=None).values_list("message_id", flat=True)) <= set(sent)
    print(f"\nkill test ({connection.vendor}): {len(numbers)} numbers given, {kills} kills, "
          f"{cut_in_registration} claims left mid-registration, {quarantined} quarantined by two kills, "
          f"{tracked} tracking reads, "
          f"lost 0, double-sent {double_sent}, acknowledgements {len(sent)}/{len(web)} sent, "
          f"{unsent.count()} cut short by a kill")
