"""Benchmark, run by hand: what triage's suggestions cost the registration, and what the job that
makes them costs the worker, in CPU per card (which holds on a busy machine) and wall time.

    .venv/bin/python bench/triage_suggestions.py --from /path/to/var-folder [--batches 20] [--rules 20]

(1) Registration: batches of 100 cards written as the worker writes them (complaints_register_prepared),
    alternately with triage's receiver connected and disconnected; the receiver only queues one job per
    batch, so the two should be the same.
(2) The job: suggest_many over those cards, every field, from --rules keyword rules a field (no model),
    and with none at all ("no suggestion" rows).
SQLite runs on a copy of --from's database (never the folder itself); each figure is printed with the load.
"""

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import common  # noqa: E402 - bench/common.py

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--from", dest="source", type=Path, required=True, help="a var folder (amends.sqlite3) to copy")
parser.add_argument("--batches", type=int, default=20, help="batches of 100 cards in each arm of (1)")
parser.add_argument("--rules", type=int, default=20, help="keyword rules a field in (2)")
OPTIONS = parser.parse_args()
VAR_DIR = common.environment("tsuggest-bench-")
os.environ.update({"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "LOG_LEVEL": "WARNING"})
shutil.copy(OPTIONS.source / "amends.sqlite3", Path(VAR_DIR) / "amends.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from amends.complaints import signals  # noqa: E402
from amends.complaints.choices import Channel, Importance  # noqa: E402
from amends.complaints.models import Category  # noqa: E402
from amends.complaints.services import complaint_prepare, complaints_register_prepared  # noqa: E402
from amends.triage import receivers  # noqa: E402
from amends.triage.models import KeywordRule, Suggestion, TriageField  # noqa: E402
from amends.triage.services import suggest_many  # noqa: E402

say = common.say
BATCH = 100
TEXTS = [
    "Доставка опоздала на три дня, курьер не перезвонил, посылка помята.",
    "The screen cracked after a week, the device is faulty, I want a refund.",
    "Менеджер нахамил по телефону и бросил трубку, прошу разобраться.",
    "Վճարումը երկու անգամ է գանձվել, խնդրում եմ վերադարձնել գումարը։",
]
WORDS = ["доставка", "курьер", "посылка", "экран", "брак", "refund", "screen", "faulty", "менеджер", "нахамил",
         "вернуть", "деньги", "оплата", "վճարում", "գումար", "телефон", "late", "rude", "broken", "delivery"]


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def register_batch(n: int) -> tuple[list[int], float, float]:
    cards = [complaint_prepare(actor=None, channel=Channel.EMAIL, wording=TEXTS[(n + i) % len(TEXTS)] + f" {n}-{i}")
             for i in range(BATCH)]
    started, wall = cpu(), time.perf_counter()
    registered = complaints_register_prepared(cards)
    return [card.pk for card in registered], cpu() - started, time.perf_counter() - wall


def registration() -> list[int]:
    """(1): the batches alternate, so that a change in the machine's load falls on both arms alike."""
    totals = {True: [0.0, 0.0], False: [0.0, 0.0]}
    ids: list[int] = register_batch(-1)[0]  # warm-up: imports and caches, counted in neither arm
    for n in range(2 * OPTIONS.batches):
        connected = n % 2 == 0
        if not connected:
            signals.complaint_registered.disconnect(dispatch_uid="triage_registered")
        try:
            batch, cpu_s, wall_s = register_batch(n)
        finally:
            signals.complaint_registered.connect(receivers.on_registered, dispatch_uid="triage_registered")
        totals[connected][0] += cpu_s
        totals[connected][1] += wall_s
        ids += batch
    cards = OPTIONS.batches * BATCH
    for connected, label in ((False, "without triage"), (True, "with triage's receiver")):
        cpu_s, wall_s = totals[connected]
        say(f"(1) registration {label}: CPU {cpu_s / cards * 1000:.2f} ms a card, wall {wall_s / cards * 1000:.2f} "
            f"ms a card ({cards} cards in batches of {BATCH}); {load()}")
    return ids


def rules_made() -> None:
    """--rules rules a field, each of three words, on real values (importance codes, existing categories)."""
    categories = [str(pk) for pk in Category.objects.values_list("pk", flat=True)] or ["0"]
    values = {TriageField.CATEGORY: categories, TriageField.IMPORTANCE: Importance.values}
    for field in TriageField.values:
        for i in range(OPTIONS.rules):
            options = values.get(field, categories)
            KeywordRule.objects.create(field=field, value=options[i % len(options)],
                                       keywords="\n".join(WORDS[(i + k) % len(WORDS)] for k in range(3)))


def job(ids: list[int], label: str) -> None:
    """(2): suggest_many in the worker's job size (one batch of cards)."""
    Suggestion.objects.filter(complaint_id__in=ids).delete()
    started, wall = cpu(), time.perf_counter()
    for start in range(0, len(ids), BATCH):
        suggest_many(ids[start:start + BATCH])
    cpu_s, wall_s = cpu() - started, time.perf_counter() - wall
    say(f"(2) suggestions {label}: CPU {cpu_s / len(ids) * 1000:.2f} ms a card, wall {wall_s / len(ids) * 1000:.2f} "
        f"ms a card ({len(ids)} cards, jobs of {BATCH}); {load()}")


def main() -> None:
    say(f"Triage suggestions bench on SQLite, {os.cpu_count()} CPUs, {load()}; code in {ROOT}")
    try:
        call_command("migrate", verbosity=0)
        ids = registration()
        job(ids, "with no rules and no model")
        rules_made()
        job(ids, f"from {OPTIONS.rules} keyword rules a field")
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


main()
