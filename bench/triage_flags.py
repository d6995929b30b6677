"""Benchmark, run by hand: the emotion and urgency flags (amends/triage/flags.py) on real texts.

    .venv/bin/python bench/triage_flags.py [--data ../shared/data] [--sample 15]

(1) SentiRuEval-2016 tweets about Russian banks and telecom operators: the negative reading
    (emotion.negative) and the anger flag against the `negative` label, precision and recall. The
    word lists were written while reading the "tuning" half of the rows (sha256 of the tweet id even)
    and never the "check" half: both are printed, and the check half is the honest figure. Then the
    app's learned negative flag: the tuning half's tweets become cards marked negative or not (in a
    throwaway database), `train` makes the model as the worker would, and it reads the check half once.
(2) CFPB narratives (English) and Kursk citizens' appeals (Russian): how often each flag fires, and
    with --sample N, N random flagged texts per flag with the words that raised it, to check by hand.
(3) Speed: CPU time per text to read all the flags and split the parts.
The data sets stay where they are (never copied into the repository); a missing one is skipped.
"""

import argparse
import csv
import gzip
import hashlib
import html
import os
import random
import re
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import environment, say  # noqa: E402

environment("tflags-bench-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from amends.complaints.choices import Channel  # noqa: E402
from amends.complaints.models import Complaint  # noqa: E402
from amends.triage import emotion, parts  # noqa: E402
from amends.triage.flags import LEXICONS, detect  # noqa: E402
from amends.triage.learning import train  # noqa: E402
from amends.triage.learning.prediction import negative_predict  # noqa: E402
from amends.triage.models import NEGATIVE_MODEL, FlagKind, FlagLabel  # noqa: E402

TAG = re.compile(r"<[^>]+>")


def rows(path: Path) -> list[dict]:
    csv.field_size_limit(10**8)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def half(tweet_id: str) -> str:
    return "tuning" if int(hashlib.sha256(tweet_id.encode()).hexdigest()[:8], 16) % 2 == 0 else "check"


def precision_recall(pairs: list[tuple[bool, bool]]) -> str:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if truth and not said)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def received(tweets: list[dict], order: str) -> list[tuple[dict, datetime]]:
    """The tweets as cards would be received: at the tweet's time ("time": the training's newest slices are
    then November's bank tweets alone, the check half is every month), or one a minute in the order of a
    hash of the id ("key": those slices are a random sample, as the check half is)."""
    if order == "time":
        ordered = sorted(tweets, key=lambda t: (t["created_utc"], t["tweet_id"]))
        return [(t, datetime.fromisoformat(t["created_utc"].replace("Z", "+00:00"))) for t in ordered]
    ordered = sorted(tweets, key=lambda t: hashlib.sha256(("v" + t["tweet_id"]).encode()).hexdigest())
    start = datetime(2015, 6, 1, tzinfo=UTC)
    return [(t, start + timedelta(minutes=i)) for i, t in enumerate(ordered)]


def learned(readings: list[tuple[dict, emotion.Reading]], order: str) -> None:
    """The app's own training (`amends triage train --field negative`) on the tuning half, each tweet a card
    marked negative or not by its label; measured once on the check half."""
    call_command("migrate", verbosity=0)
    Complaint.objects.all().delete()
    tuning = received([t for t, _r in readings if half(t["tweet_id"]) == "tuning"], order)
    cards = Complaint.objects.bulk_create(
        Complaint(number=f"T-{i:06d}", tracking_code=f"tflags{i}", channel=Channel.EMAIL, wording=t["text"],
                  received_at=moment)
        for i, (t, moment) in enumerate(tuning)
    )
    FlagLabel.objects.bulk_create(
        FlagLabel(complaint=card, kind=FlagKind.NEGATIVE, present=t["label"] == "negative")
        for card, (t, _moment) in zip(cards, tuning, strict=True)
    )
    started, started_cpu = time.perf_counter(), cpu()
    with translation.override("en"):
        model = train(NEGATIVE_MODEL)
    wall, spent = time.perf_counter() - started, cpu() - started_cpu
    figures = model.evaluation
    say(f"  learned negative reading, trained by the app on the tuning half ({len(tuning)} tweets as cards, "
        f"in {order} order): "
        f"v{model.version}, {wall:.1f} s ({spent:.1f} s CPU), {'in use' if model.active else model.rejected_reason}")
    say(f"    threshold {figures['threshold']} (chosen on the newest {figures['hyper']['judged']} of its training "
        f"part); on its own held-out newest {model.tested_on}: precision {figures['precision']:.3f}  "
        f"recall {figures['recall']:.3f} (word lists {figures['baselines']['word_lists']['precision']:.3f} / "
        f"{figures['baselines']['word_lists']['recall']:.3f})")
    check = [(t, r) for t, r in readings if half(t["tweet_id"]) == "check"]
    truth = [t["label"] == "negative" for t, _r in check]
    reading = negative_predict(model, [t["text"] for t, _r in check])
    if reading.reason:
        say(f"    {reading.reason}")
        return
    said = [said if p is not None else r.negative for said, p, (_t, r) in zip(reading.said, reading.probabilities,
                                                                               check, strict=True)]
    say(f"    check half ({len(check)} tweets), learned: {precision_recall(list(zip(said, truth, strict=True)))}")
    lists = [r.negative for _t, r in check]
    say(f"    check half, word lists:      {precision_recall(list(zip(lists, truth, strict=True)))}")


def sentirueval(folder: Path, orders: list[str]) -> None:
    path = folder / "ru_sentirueval2016_bank_telecom_tweets" / "ru_sentirueval2016_bank_telecom_tweets_dev.csv.gz"
    if not path.exists():
        say(f"SentiRuEval: {path} missing, skipped")
        return
    tweets = rows(path)
    say(f"SentiRuEval-2016 dev: {len(tweets)} tweets, {sum(t['label'] == 'negative' for t in tweets)} negative")
    readings = [(t, emotion.read(t["text"])) for t in tweets]
    for name in ("tuning", "check", "all"):
        chosen = [(t, r) for t, r in readings if name == "all" or half(t["tweet_id"]) == name]
        truth = [t["label"] == "negative" for t, _r in chosen]
        said = [r.negative for _t, r in chosen]
        angry = [bool(r.anger) for _t, r in chosen]
        say(f"  {name} ({len(chosen)} tweets)")
        say(f"    negative reading: {precision_recall(list(zip(said, truth, strict=True)))}")
        say(f"    anger flag:       {precision_recall(list(zip(angry, truth, strict=True)))}")
    for order in orders:
        learned(readings, order)


def firing(name: str, texts: list[str], sample: int) -> None:
    say(f"{name}: {len(texts)} texts")
    started = cpu()
    found = [detect(text) for text in texts]
    for text in texts:
        parts.split(text)
    spent = cpu() - started
    counts = Counter(f.kind for flags in found for f in flags)
    any_flag = sum(1 for flags in found if flags)
    say(f"  any flag: {any_flag} ({any_flag / len(texts):.1%})")
    for kind, label in FlagKind.choices:
        if kind in LEXICONS:
            say(f"  {label:26} {counts[kind]:6} ({counts[kind] / len(texts):.1%})")
    negative = sum(emotion.negative(text) for text in texts)
    say(f"  {FlagKind.NEGATIVE.label} (word lists) {negative:6} ({negative / len(texts):.1%})")
    mean = sum(map(len, texts)) // len(texts)
    say(f"  CPU {spent / len(texts) * 1000:.2f} ms a text (flags and parts; mean {mean} chars)")
    if sample:
        chooser = random.Random(19)
        for kind, label in FlagKind.choices:
            flagged = [
                (text, f.evidence) for text, flags in zip(texts, found, strict=True) for f in flags if f.kind == kind
            ]
            for text, evidence in chooser.sample(flagged, min(sample, len(flagged))):
                say(f"    [{label}] «{evidence}» in: {' '.join(text.split())[:160]}")


def cfpb(folder: Path, sample: int) -> None:
    path = folder / "cfpb_complaints" / "cfpb_complaints_dev.csv.gz"
    if not path.exists():
        say(f"CFPB: {path} missing, skipped")
        return
    texts = [row["Consumer complaint narrative"] for row in rows(path) if row["Consumer complaint narrative"].strip()]
    firing("CFPB narratives (English)", texts, sample)


def kursk(folder: Path, sample: int) -> None:
    path = folder / "ru_kursk_citizen_appeals" / "ru_kursk_citizen_appeals_dev.csv.gz"
    if not path.exists():
        say(f"Kursk: {path} missing, skipped")
        return
    texts = [html.unescape(TAG.sub(" ", row["text"])) for row in rows(path) if row["text"].strip()]
    firing("Kursk citizens' appeals (Russian)", texts, sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--order", action="append", choices=["time", "key"],
                        help="the tuning tweets' order as cards (repeatable; default both)")
    parser.add_argument("--sample", type=int, default=0, help="flagged texts shown per flag, to check by hand")
    options = parser.parse_args()
    options.order = options.order or ["time", "key"]
    say(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    sentirueval(options.data, options.order)
    cfpb(options.data, options.sample)
    kursk(options.data, options.sample)
    say(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
