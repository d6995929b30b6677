"""Benchmark, run by hand: `.venv/bin/python bench/surveys_send.py [--count 10000]`.

The send of a survey campaign (issue 17, figures: target ≥ 200 invitations per second through the
worker): `--count` customers with an e-mail, a started campaign with one invitation each, the job
`invitations_send_task` queued as the campaign's start queues it, then `amends worker`'s code run
until the queue is empty, the mail going to a real SMTP server on 127.0.0.1 (aiosmtpd in its own
process, as bench/intake_mail.py runs it). Prints invitations per second (and per second of the
worker's own CPU, which a loaded machine does not change) and checks that every
invitation was sent once: each SENT with its expiry, the campaign SENT, as many messages received.

SQLite by default (its own file in a temporary folder); with DATABASE_URL set it uses that
database instead, e.g. `scripts/with-postgres .venv/bin/python bench/surveys_send.py`.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import environment, say  # noqa: E402 - bench/common.py, beside this script

environment("amends-bench-surveys-", own_sqlite=not os.environ.get("DATABASE_URL"))
os.environ.setdefault("AMENDS_BASE_URL", "https://complaints.example.com")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.customers.models import Contact  # noqa: E402
from amends.jobs.schedule import PERIODIC  # noqa: E402
from amends.jobs.worker import AmendsWorker  # noqa: E402
from amends.surveys.choices import CampaignKind, CampaignState, InvitationChannel, InvitationState  # noqa: E402
from amends.surveys.models import Campaign, Criterion, Invitation, Questionnaire, QuestionnaireVersion  # noqa: E402
from amends.surveys.signals import invitations_ready  # noqa: E402
from amends.surveys.tokens import invitation_key  # noqa: E402
from tests.harness.dovecot import free_port  # noqa: E402

# Counts what arrives, and over how many connections; prints both when stopped.
SINK = """
import asyncio, signal, sys
from aiosmtpd.controller import Controller
class Count:
    messages, sessions = 0, set()
    async def handle_DATA(self, server, session, envelope):
        Count.messages += 1
        Count.sessions.add(id(session))
        return "250 OK"
controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
controller.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM})
controller.stop()
print(Count.messages, len(Count.sessions), flush=True)
"""


def smtp_counter() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE, text=True)
    if process.stdout is None or process.stdout.readline().strip() != "ready":
        raise RuntimeError("the SMTP server did not start")
    return process, port


def campaign_of(count: int) -> Campaign:
    questionnaire = Questionnaire.objects.create(name="Удовлетворённость", name_en="Satisfaction")
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1, published_at=timezone.now())
    for order, key in enumerate(["reliability", "delivery", "courtesy", "handling"]):
        Criterion.objects.create(version=version, key=key, name=key, order=order)
    campaign = Campaign.objects.create(kind=CampaignKind.MANUAL, version=version, name="Bench")
    contacts = Contact.objects.bulk_create(
        [Contact(full_name=f"Клиент {i}", email=f"customer{i}@example.ru") for i in range(count)], batch_size=2000,
    )
    languages = ["ru", "en", "hy"]
    Invitation.objects.bulk_create([
        Invitation(campaign=campaign, contact=contact, key=invitation_key(), language=languages[i % 3],
                   channel=InvitationChannel.EMAIL)
        for i, contact in enumerate(contacts)
    ], batch_size=2000)
    return campaign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    say(f"Database: {connection.vendor}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    call_command("migrate", verbosity=0)
    settings.AMENDS_JOBS_DISABLED = [job.name for job in PERIODIC]  # the campaign's jobs alone
    server, port = smtp_counter()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        begin = time.perf_counter()
        campaign = campaign_of(args.count)
        say(f"{args.count} customers and invitations made in {time.perf_counter() - begin:.1f} s")
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING, started_at=timezone.now())
        started, cpu = time.perf_counter(), time.process_time()
        invitations_ready.send(sender=Campaign, campaign=campaign)  # outside a transaction: queued at once
        AmendsWorker().run(once=True)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        server.terminate()
        received, connections = map(int, server.communicate(timeout=30)[0].split())
    sent = Invitation.objects.filter(state=InvitationState.SENT, expires_at__isnull=False, attempts=1).count()
    say(f"{args.count} invitations through the worker in {elapsed:.2f} s = {args.count / elapsed:.0f} per second "
        f"(target ≥ 200); the worker's own CPU {cpu:.2f} s = {args.count / cpu:.0f} per CPU second")
    say(f"    SENT once with an expiry: {sent}; received by the SMTP server: {received} over {connections} "
        f"connections; campaign {Campaign.objects.get(pk=campaign.pk).state}")


if __name__ == "__main__":
    main()
