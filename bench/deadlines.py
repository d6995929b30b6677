"""Benchmark, run by hand: `.venv/bin/python bench/deadlines.py [--cards 100000] [--database-url URL]`.

On a fresh SQLite database in a temporary folder (or the database given, which it fills):
migrate, add a second business calendar (Armenia, lunch break) with key-account policies on it,
then insert open cards in bulk with mixed channels, importance, investigation flags and key
accounts, and their clocks as the policies give them (received over the last ten days; each
clock at the escalation step it would have reached by now, as if the sweep had been running).
Then run the deadline sweep at a few later instants, so that some clocks cross a threshold at
each, and print the time and the number of SQL queries of each sweep.
"""

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--cards", type=int, default=100_000)
parser.add_argument("--database-url", help="e.g. postgres://user@127.0.0.1/amends_bench, migrated and filled")
parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
options = parser.parse_args()

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
if options.database_url:
    os.environ["DATABASE_URL"] = options.database_url
else:
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.complaints.choices import Channel, Importance, State  # noqa: E402
from amends.complaints.models import Complaint, new_tracking_code  # noqa: E402
from amends.customers.models import Organisation  # noqa: E402
from amends.deadlines.choices import STANDARD_CLOCKS, Basis, ClockKind, Level  # noqa: E402
from amends.deadlines.models import BusinessCalendar, Clock, DeadlinePolicy, WorkingHours  # noqa: E402
from amends.deadlines.policies import CardFacts, forget_policy_table, policy_table  # noqa: E402
from amends.deadlines.services import THRESHOLD_FIELDS, apply_policy  # noqa: E402
from amends.deadlines.sweep import deadlines_sweep  # noqa: E402

BATCH = 5000
CHANNELS = [c for c in Channel.values]
# Instants after "now" at which the sweep runs, as the worker runs it every minute, then after
# an hour's outage; the last one, half a day later, is a catch-up shown apart from the figure.
SWEEPS = [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5), timedelta(hours=1)]
CATCH_UP = timedelta(hours=12)


def say(text: str = "") -> None:
    print(text, flush=True)


def people() -> dict[str, list[User]]:
    made = {}
    for role, count in ((Role.RESPONSIBLE, 20), (Role.QMS_HEAD, 2), (Role.MANAGER, 2)):
        group = Group.objects.get(name=role)
        made[role] = []
        for i in range(count):
            user, _ = User.objects.get_or_create(username=f"bench-{role}-{i}", defaults={"first_name": role})
            user.groups.add(group)
            made[role].append(user)
    return made


def armenian_calendar() -> None:
    """A second calendar and the key-account policies that count on it."""
    calendar, created = BusinessCalendar.objects.get_or_create(
        name="Armenia (bench)", defaults={"country": "AM", "time_zone": "Asia/Yerevan"},
    )
    if created:
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=day, start=start, end=end)
            for day in range(5) for start, end in ((clock_time(10), clock_time(13)), (clock_time(14), clock_time(19)))
        )
    for kind, allowance in ((ClockKind.FIRST_RESPONSE, timedelta(hours=4)), (ClockKind.DECISION, timedelta(hours=9))):
        DeadlinePolicy.objects.get_or_create(
            clock=kind, preset="", channel="", importance="", key_accounts_only=True, investigation_only=False,
            defaults={"allowance": allowance, "basis": Basis.WORKING, "calendar": calendar},
        )
    forget_policy_table()


def add_cards(count: int, now, rng: random.Random, responsible: list[User]) -> int:
    """Cards and their clocks in bulk, each clock at the step it reached by `now`."""
    organisations = [
        Organisation.objects.get_or_create(name=f"Bench customer {i}", defaults={"is_key_account": i % 5 == 0})[0]
        for i in range(50)
    ]
    table = policy_table()
    year, clocks_made = timezone.localtime(now).year, 0
    states = [State.REGISTERED, State.ASSIGNED, State.INVESTIGATING]
    for start in range(0, count, BATCH):
        cards = []
        for n in range(start, min(count, start + BATCH)):
            received = now - timedelta(seconds=rng.uniform(0, 10 * 86400))
            cards.append(Complaint(
                number=f"{year}-B{n:07d}", tracking_code=new_tracking_code(), received_at=received,
                channel=rng.choice(CHANNELS), importance=rng.choice(Importance.values),
                needs_investigation=rng.random() < 0.2, organisation=rng.choice(organisations),
                responsible=rng.choice(responsible), state=rng.choice(states), wording="Bench complaint.",
            ))
        with transaction.atomic():
            Complaint.objects.bulk_create(cards)
            clocks = []
            for card in cards:
                facts = CardFacts.of(card)
                for kind in STANDARD_CLOCKS:
                    policy = table.resolve(kind, "", facts)
                    if policy is None or policy.met_on_registration:
                        continue
                    clock = Clock(complaint=card, kind=kind, started_at=card.received_at)
                    apply_policy(clock, policy, table)
                    clock.level = sum(getattr(clock, name) <= now for name in THRESHOLD_FIELDS.values())
                    clocks.append(clock)
            Clock.objects.bulk_create(clocks)
            clocks_made += len(clocks)
    return clocks_made


def sweep(moment, label: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = deadlines_sweep(moment)
        duration = time.perf_counter() - started
    say(f"  {label}: {duration:.3f} s, {len(queries)} queries; fired {result}")
    return duration, len(queries)


def main() -> None:
    rng = random.Random(7)
    say(f"Amends deadline bench — Python {platform.python_version()}, Django {django.get_version()}, "
        f"{connection.vendor}, {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        say(f"  migrate: {time.perf_counter() - started:.1f} s")
        made = people()
        armenian_calendar()
        now = timezone.now()
        started = time.perf_counter()
        clocks = add_cards(options.cards, now, rng, made[Role.RESPONSIBLE])
        say(f"  {options.cards} open cards with {clocks} clocks inserted in {time.perf_counter() - started:.1f} s "
            f"({Clock.objects.filter(calendar__isnull=False).count()} count working time on 2 calendars)")
        durations, counts = [], []
        for offset in SWEEPS:
            duration, count = sweep(now + offset, f"sweep at now + {offset}")
            durations.append(duration)
            counts.append(count)
        sweep(now + CATCH_UP, f"catch-up sweep at now + {CATCH_UP} (not in the figure below)")
        levels = dict(Clock.objects.values_list("level").annotate(n=django.db.models.Count("pk")).order_by("level"))
        say(f"  clocks per escalation step now: { {Level(k).label if k else 'none': v for k, v in levels.items()} }")
        say(f"{sum(durations) / len(durations):.3f} s per sweep, {max(counts)} queries per sweep")
    finally:
        connection.close()
        if options.keep:
            say(f"Kept {VAR_DIR}")
        else:
            shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
