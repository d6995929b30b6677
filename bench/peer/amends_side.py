"""Amends' side of bench/peer/run.py, run in Amends' environment with the instance's settings
(bench/intake.py's fresh_instance): `seed RECORDS`, `mailbox HOST PORT USER PASSWORD`, `count`."""

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "bench" / "peer")]

import django  # noqa: E402

django.setup()

from common import bulk_insert, datetime_value, indexes_dropped  # noqa: E402 - bench/common.py
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from records import read  # noqa: E402 - bench/peer/records.py
from side import side_main  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.complaints.choices import Channel, EventKind, State  # noqa: E402
from amends.complaints.models import Complaint, NumberSequence, TimelineEvent, new_tracking_code  # noqa: E402
from amends.customers.models import Contact, phone_digits  # noqa: E402

HEAD, PASSWORD = "bench-qms", "bench-peer-password"


def seed(path: str) -> None:
    """The head of the QMS (English, so both systems' pages say the same), then each record as a
    card of its customer's contact, received by e-mail, with its registration on the timeline."""
    head = User.objects.create_user(HEAD, password=PASSWORD, language="en")
    head.groups.set(Group.objects.filter(name=Role.QMS_HEAD))
    customers = sorted({r["customer"] for r in read(Path(path))})
    with indexes_dropped(Contact):
        bulk_insert(Contact, Contact(full_name="", phone="", email=""), (
            {"full_name": f"Customer {k}", "phone": f"+7 900 {k:07d}", "phone_digits": phone_digits(f"+7900{k:07d}"),
             "email": f"customer{k}@example.com"} for k in customers))
    contact = dict(Contact.objects.filter(email__endswith="@example.com").values_list("email", "pk"))
    now = timezone.now()
    last_of_year: Counter = Counter()

    def cards():
        for r in read(Path(path)):
            received = datetime.fromisoformat(r["received"])
            year = timezone.localtime(received).year
            last_of_year[year] += 1
            yield {
                "number": f"{year}-{last_of_year[year]:06d}", "tracking_code": new_tracking_code(),
                "received_at": datetime_value(received), "created_at": datetime_value(received),
                "updated_at": datetime_value(received), "channel": Channel.EMAIL,
                "state": State.REGISTERED if r["open"] else State.CLOSED,
                "contact_id": contact[f"customer{r['customer']}@example.com"],
                "wording": r["text"],
                "closed_at": None if r["open"] else datetime_value(received),
            }

    template = Complaint(number="", received_at=now, channel=Channel.EMAIL, wording="", registered_by=head)
    with indexes_dropped(Complaint, TimelineEvent):
        bulk_insert(Complaint, template, cards())
        first = Complaint.objects.order_by("pk").values_list("pk", flat=True).first()
        bulk_insert(TimelineEvent, TimelineEvent(complaint_id=first, kind=EventKind.REGISTERED, actor=head), (
            {"complaint_id": first + i, "created_at": datetime_value(datetime.fromisoformat(r["received"]))}
            for i, r in enumerate(read(Path(path)))))
    for year, last in last_of_year.items():
        NumberSequence.objects.update_or_create(year=year, defaults={"last": last})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(Complaint.objects.count())


def mailbox(host: str, port: str, user: str, password: str) -> None:
    from amends.intake.models import Mailbox

    Mailbox.objects.create(name="bench", host=host, port=int(port), use_ssl=False, username=user, password=password)


# The jobs that owe the customer something (helpdesk makes the ticket and its mail in one go); the duplicate
# search and triage, which only the staff see, run after them and are not counted.
CUSTOMER_JOBS = [f"amends.intake.tasks.{name}" for name in (
    "acknowledge_registrations_task", "follow_up_registration_task", "acknowledge_task")]


def count() -> None:
    """Cards, those received by e-mail, and the work the worker still owes the customers: submissions
    without their card, acknowledgements not sent."""
    from django_tasks_db.models import DBTaskResult

    from amends.intake.models import InboundMessage

    owed = (DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path__in=CUSTOMER_JOBS).count()
            + InboundMessage.objects.filter(status__in=["queued", "received"]).count())
    print(json.dumps({"records": Complaint.objects.count(), "email": Complaint.objects.filter(channel=Channel.EMAIL)
                      .count(), "owed": owed}))


if __name__ == "__main__":
    side_main(seed, mailbox, count)
