"""Benchmark, run by hand: `.venv/bin/python bench/duplicates.py`.

(a) Quality: for each data set in ../shared/data, a labelled set of re-sent complaints (see
    bench/duplicates_evaluation.py) is looked up among a pool of distinct real wordings;
    prints precision (strict, and leaving out unlabelled same-template pairs), recall and F1
    per threshold, the threshold with the best mean F1, and what the misses had in common.
(b) Speed: on a fresh database (SQLite in a temporary folder, or the PostgreSQL of
    DATABASE_URL with --postgres, e.g. under scripts/with-postgres), 10,000 cards received
    in the last 30 days with real wordings are signed; then new cards are registered through
    complaint_register — half of them edited copies of stored ones — and each
    duplicates_check is timed: median, 95th percentile, SQL queries, and how often the copy's
    source was found.
(c) Who sent it: CFPB hard negatives (two consumers, same company and issue, another state or ZIP,
    meeting in the band index) and same-customer resends, registered with their customers on a
    fresh database (see duplicates_evaluation.customer_set): precision and recall of the
    same-customer duplicates and of other customers' similar complaints, and the share of hard
    negatives called duplicates, at the default threshold.
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-duplicates-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["MEDIA_ROOT"] = str(Path(VAR_DIR) / "media")
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
if "--postgres" not in sys.argv:
    os.environ.pop("DATABASE_URL", None)  # its own SQLite file

import django  # noqa: E402

django.setup()

import duplicates_evaluation as evaluation  # noqa: E402 - bench/duplicates_evaluation.py, beside this script
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.complaints.choices import Channel, State  # noqa: E402
from amends.complaints.models import Complaint, NumberSequence  # noqa: E402
from amends.complaints.services import complaint_register  # noqa: E402
from amends.customers.models import Contact, phone_digits  # noqa: E402
from amends.duplicates import detector  # noqa: E402
from amends.duplicates.services import DEFAULT_THRESHOLD, MAX_KEY_CARDS, duplicates_check  # noqa: E402
from amends.duplicates.signing import signatures_rebuild  # noqa: E402

THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85]


def say(text: str = "") -> None:
    print(text, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def quality(pool_size: int, queries: int, seed: int, per_key: int) -> None:
    say(f"(a) Quality: pool of up to {pool_size} distinct wordings and {queries} re-sent ones per data set, "
        f"seed {seed}, {per_key or 'all'} latest wordings read per band key")
    outcomes = {}
    for name in evaluation.DATASETS:
        if not evaluation.data_available(name):
            say(f"  {name}: no data in {evaluation.DATA_DIR}, skipped")
            continue
        started = time.perf_counter()
        labelled = evaluation.labelled_set(name, pool_size=pool_size, queries=queries, seed=seed)
        index = evaluation.MemoryIndex(labelled.pool, per_key=per_key or None)
        outcome = evaluation.measure(labelled, missed_below=DEFAULT_THRESHOLD, index=index)
        outcomes[name] = outcome
        natural = sum(1 for q in labelled.queries if q.edits == ("repeated",))
        say(f"  {name}: pool {len(labelled.pool)} ({labelled.near_identical_dropped} near-identical left out), "
            f"{len(labelled.queries)} queries ({natural} natural repeats), "
            f"{outcome.candidates_scored / len(labelled.queries):.1f} band candidates scored per query, "
            f"original not among them {outcome.lsh_misses()}x, {time.perf_counter() - started:.1f} s")
        say("     threshold  P strict  P unlabelled-out  recall  F1 strict  F1")
        for threshold in THRESHOLDS:
            p, r, f = outcome.at(threshold)
            pl, _, fl = outcome.at(threshold, strict=False)
            say(f"     {threshold:9.2f}  {p:8.3f}  {pl:16.3f}  {r:6.3f}  {f:9.3f}  {fl:.3f}")
    if not outcomes:
        return
    say("  Mean over the data sets:")
    best = None
    for threshold in THRESHOLDS:
        strict = statistics.mean(o.at(threshold)[2] for o in outcomes.values())
        lenient = statistics.mean(o.at(threshold, strict=False)[2] for o in outcomes.values())
        say(f"     {threshold:.2f}: F1 strict {strict:.3f}, F1 {lenient:.3f}")
        if best is None or lenient > best[1]:
            best = (threshold, lenient)
    say(f"  Best mean F1 at {best[0]:.2f}; the default (AMENDS_DUPLICATE_THRESHOLD) is {DEFAULT_THRESHOLD:.2f}.")
    for name, outcome in outcomes.items():
        say(f"  {name}: edits in the re-sent wordings missed at {DEFAULT_THRESHOLD:.2f}: "
            f"{dict(outcome.missed_edits.most_common()) or 'none'}")


def corpus(rng: random.Random, size: int) -> list[str]:
    """Real wordings from every data set, shuffled: long letters, short appeals, tweets."""
    texts = []
    for name, share in (("cfpb", 4000), ("kursk", 2000), ("tweets", 2000), ("spotify", size)):
        if evaluation.data_available(name):
            found = evaluation.load_texts(name)
            rng.shuffle(found)
            texts += found[:max(0, min(share, size - len(texts)))]
    rng.shuffle(texts)
    return texts


def setup(cards: int, texts: list[str], rng: random.Random) -> tuple[User, list[Contact]]:
    call_command("migrate", verbosity=0)
    operator = User.objects.create_user(username="operator", password="bench-operator")
    operator.groups.set(Group.objects.filter(name=Role.OPERATOR))
    contacts = Contact.objects.bulk_create([
        Contact(full_name=f"Customer {i}", phone=f"+7 900 {i:07d}", phone_digits=phone_digits(f"+7900{i:07d}"),
                email=f"customer{i}@example.com")
        for i in range(2000)
    ])
    now = timezone.now()
    channels = [c for c in Channel.values if c != Channel.INTERNAL]
    states = [State.REGISTERED] * 4 + [State.INVESTIGATING, State.ANSWERED, State.CLOSED]
    year = timezone.localtime(now).year
    with transaction.atomic():
        Complaint.objects.bulk_create([
            Complaint(
                number=f"{year}-{i + 1:06d}", received_at=now - timedelta(seconds=rng.uniform(3600, 29 * 86400)),
                channel=rng.choice(channels), state=rng.choice(states), contact=rng.choice(contacts),
                wording=texts[i], registered_by=operator,
            )
            for i in range(cards)
        ], batch_size=2000)
        NumberSequence.objects.update_or_create(year=year, defaults={"last": cards})
    return operator, contacts


def speed(cards: int, checks: int, seed: int) -> None:
    rng = random.Random(seed)
    texts = corpus(rng, cards + checks)
    if len(texts) < cards + checks:
        say(f"(b) Speed: only {len(texts)} wordings in {evaluation.DATA_DIR}; need {cards + checks}, skipped")
        return
    say(f"(b) Speed on {connection.vendor} ({connection.settings_dict['NAME']})")
    operator, contacts = setup(cards, texts, rng)
    started = time.perf_counter()
    signed = signatures_rebuild()
    elapsed = time.perf_counter() - started
    say(f"  signed {signed} cards in {elapsed:.1f} s ({elapsed / signed * 1000:.2f} ms each, with storage)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a live database keeps them after a bulk load
    stored = list(Complaint.objects.values_list("pk", "wording", "contact_id"))
    fresh = iter(texts[cards:])
    durations, queries, candidates, signing = [], [], [], []
    copies = found_source = 0
    for i in range(checks):
        if i % 2 == 0:
            source_pk, wording, contact_id = rng.choice(stored)
            wording, _ = evaluation.edit(wording, rng, "ru" if any("а" <= ch <= "я" for ch in wording[:200]) else "en")
            contact = rng.choice(contacts)  # another customer: no automatic link
            copies += 1
        else:
            source_pk, wording, contact = None, next(fresh), rng.choice(contacts)
        card = complaint_register(actor=operator, channel=Channel.EMAIL, wording=wording, contact=contact)
        started = time.perf_counter()
        detector.signature(card.wording)
        signing.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = duplicates_check(complaint=card)
            durations.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
        candidates.append(len(result))
        if source_pk is not None and any(c.candidate_id == source_pk for c in result):
            found_source += 1
    say(f"  {checks} checks against {cards} cards: median {statistics.median(durations):.1f} ms, "
        f"p95 {percentile(durations, 0.95):.1f} ms, max {max(durations):.1f} ms; "
        f"of which computing the signature: median {statistics.median(signing):.1f} ms")
    say(f"  SQL queries per check: median {statistics.median(queries):.0f}, max {max(queries)}; "
        f"candidates stored per check: mean {statistics.mean(candidates):.2f}")
    say(f"  edited copies whose source was found: {found_source} of {copies}")


def customers(resends: int, negatives: int, per_group: int, seed: int) -> None:
    if not evaluation.data_available("cfpb"):
        say(f"(c) Who sent it: no cfpb data in {evaluation.DATA_DIR}, skipped")
        return
    started = time.perf_counter()
    labelled = evaluation.customer_set(resends=resends, negatives=negatives, per_group=per_group, seed=seed)
    call_command("migrate", verbosity=0)
    evaluator = User.objects.create_user(username="evaluator", password="bench-evaluator")
    evaluator.groups.set(Group.objects.filter(name=Role.OPERATOR))
    outcome = evaluation.measure_customers(labelled, registered_by=evaluator)
    by_text = sum(n.score >= DEFAULT_THRESHOLD for n in labelled.negatives)
    templates = sum(n.template for n in labelled.negatives)
    say(f"(c) Who sent it, at the default threshold {DEFAULT_THRESHOLD:.2f}: {len(labelled.resends)} same-customer "
        f"resends, {len(labelled.negatives)} hard negatives ({templates} one template; {by_text} score at or above "
        f"the threshold by text alone; at most {per_group} of a company and issue), seed {seed}, "
        f"{time.perf_counter() - started:.0f} s")
    precision, recall = outcome.duplicates()
    say(f"  same-customer duplicates: precision {precision:.3f}, recall {recall:.3f} "
        f"({outcome.resends_found} of {outcome.resends} found)")
    precision, recall = outcome.similar_complaints()
    say(f"  other customers' similar complaints: precision {precision:.3f}, recall {recall:.3f} "
        f"{dict(outcome.similar)} (template, shown)")
    say(f"  hard negatives called duplicates: {outcome.duplicate_calls} of {outcome.negatives} "
        f"({outcome.duplicate_call_rate():.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-key", type=int, default=MAX_KEY_CARDS,
                        help="wordings read per band key in (a); 0: all, as before the cap")
    parser.add_argument("--resends", type=int, default=200, help="(c): same-customer resends")
    parser.add_argument("--negatives", type=int, default=600, help="(c): hard negatives")
    parser.add_argument("--per-group", type=int, default=20, help="(c): hard negatives of one company and issue")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-customers", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (a fresh, empty database)")
    options = parser.parse_args()
    say(f"Amends duplicates bench — Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say(f"Detector: character {detector.SHINGLE}-grams, sketch of {detector.SKETCH_SIZE}, "
        f"{detector.BANDS} bands of {detector.ROWS}; data from {evaluation.DATA_DIR}")
    try:
        if not options.skip_quality:
            quality(options.pool, options.queries, options.seed, options.per_key)
        if not options.skip_speed:
            speed(options.cards, options.checks, options.seed)
        if not options.skip_customers:
            customers(options.resends, options.negatives, options.per_group, options.seed)
    finally:
        connection.close()
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
