"""Benchmark, run by hand: `.venv/bin/python bench/queries.py`.

On a fresh SQLite database in a temporary folder, load the demo data and count the SQL queries
of the pages a person uses most: the complaint list (as the head of the QMS and as a responsible
person), the card page of the busiest card, and one transition posted from the card.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-")
# Test settings: static files served by finders, mail kept in memory, jobs run at once.
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.complaints.choices import State  # noqa: E402
from amends.complaints.models import Complaint  # noqa: E402


def count(client: Client, method: str, url: str, **data) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data)
    return len(queries), response.status_code


call_command("migrate", verbosity=0)
call_command("demo", verbosity=0)
qms, responsible = User.objects.get(username="qms"), User.objects.get(username="responsible")
busiest = Complaint.objects.annotate(n=Count("events")).order_by("-n").first()
assigned = Complaint.objects.filter(state=State.ASSIGNED, responsible=responsible).first()

client = Client(HTTP_HOST="localhost")
client.force_login(qms)
client.get("/complaints/")  # warm caches (policy table, translations) once
rows = [
    ("list, head of the QMS", *count(client, "get", "/complaints/")),
    ("list, filtered and sorted by due", *count(client, "get", "/complaints/", deadline="at_risk", sort="due")),
    (f"card page {busiest.number} ({busiest.events.count()} events)",
     *count(client, "get", f"/complaints/{busiest.number}/")),
]
client.force_login(responsible)
rows.append(("list, responsible person", *count(client, "get", "/complaints/")))
if assigned is not None:
    rows.append((
        f"transition investigate on {assigned.number}",
        *count(client, "post", f"/complaints/{assigned.number}/transition/investigate/",
               **{"investigate-version": assigned.version}),
    ))
print(f"{'what':60} {'queries':>8} {'status':>7}")
for what, queries, status in rows:
    print(f"{what:60} {queries:>8} {status:>7}")
