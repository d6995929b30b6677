"""django-helpdesk's side of bench/peer/run.py, run in the peer's own environment with
helpdesk_site's settings: `seed RECORDS`, `mailbox HOST PORT USER PASSWORD`, `count`."""

import json
import os
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_site.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket, mk_secret  # noqa: E402
from records import read  # noqa: E402 - bench/peer/records.py
from side import side_main  # noqa: E402

HEAD, PASSWORD = "bench-qms", "bench-peer-password"
BATCH = 5000


def batches(items):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def seed(path: str) -> None:
    """A staff user, the queue the public form and the mailbox file into, then each record as a
    ticket with the follow-up the peer writes when a ticket is opened; ticket id = record number."""
    User.objects.create_user(HEAD, password=PASSWORD, is_staff=True, is_superuser=True)
    queue = Queue.objects.create(title="Complaints", slug="complaints", email_address="complaints@shop.example",
                                 allow_public_submission=True, allow_email_submission=False)
    for chunk in batches(read(Path(path))):
        with transaction.atomic():
            tickets = []
            for r in chunk:
                received = datetime.fromisoformat(r["received"])
                tickets.append(Ticket(
                    id=r["n"], title=r["title"], queue=queue, created=received, modified=received,
                    submitter_email=f"customer{r['customer']}@example.com", description=r["text"],
                    status=Ticket.OPEN_STATUS if r["open"] else Ticket.CLOSED_STATUS, priority=3,
                    secret_key=mk_secret(),
                ))
            Ticket.objects.bulk_create(tickets)
            FollowUp.objects.bulk_create(
                FollowUp(ticket_id=t.id, date=t.created, title="Ticket Opened", comment=t.description, public=True)
                for t in tickets
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(Ticket.objects.count())


def mailbox(host: str, port: str, user: str, password: str) -> None:
    Queue.objects.filter(slug="complaints").update(
        allow_email_submission=True, email_box_type="imap", email_box_host=host, email_box_port=int(port),
        email_box_ssl=False, email_box_user=user, email_box_pass=password, email_box_imap_folder="INBOX",
        email_box_interval=0, email_box_last_check=None,
    )


def count() -> None:
    tickets = Ticket.objects.count()
    print(json.dumps({"records": tickets, "email": tickets, "owed": 0}))


if __name__ == "__main__":
    side_main(seed, mailbox, count)
