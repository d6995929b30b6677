"""Benchmark, run by hand: the emotion and urgency flags (amends/triage/flags.py) on real texts.

    .venv/bin/python bench/triage_flags.py [--data ../shared/data] [--sample 15]

(1) SentiRuEval-2016 tweets about Russian banks and telecom operators: the negative reading
    (emotion.negative) and the anger flag against the `negative` label, precision and recall. The
    word lists were written while reading the "tuning" half of the rows (sha256 of the tweet id even)
    and never the "check" half: both are printed, and the check half is the honest figure.
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
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import environment, say  # noqa: E402

environment("tflags-bench-")

import django  # noqa: E402

django.setup()

from scipy import sparse  # type: ignore[import-untyped]  # noqa: E402
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # noqa: E402

from amends.triage import emotion, parts  # noqa: E402
from amends.triage.flags import detect  # noqa: E402
from amends.triage.learning.classifier import features_new, prepared  # noqa: E402
from amends.triage.models import FlagKind  # noqa: E402

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


TARGET_PRECISION = 0.80
LEXICON_WEIGHT, C = 1.0, 3.0  # chosen on the held-apart quarter (0.5 or 1; C 1, 3 or 10)


def lexicon_counts(reading: emotion.Reading) -> list[float]:
    return [float(reading.negative), len(reading.anger), len(reading.feeling), len(reading.problem),
            len(reading.positive), float(reading.shouting), float(reading.sad)]


def learned_fit(texts: list[str], counts: list[list[float]], truth: list[bool]):
    features = features_new()
    matrix = sparse.hstack([features.fit_transform(prepared(texts)), LEXICON_WEIGHT * np.array(counts)], format="csr")
    return features, LogisticRegression(C=C, max_iter=3000).fit(matrix, truth)


def learned_probabilities(model, texts: list[str], counts: list[list[float]]) -> np.ndarray:
    features, regression = model
    matrix = sparse.hstack([features.transform(prepared(texts)), LEXICON_WEIGHT * np.array(counts)], format="csr")
    return regression.predict_proba(matrix)[:, 1]


def learned(readings: list[tuple[dict, emotion.Reading]]) -> None:
    """Train on the tuning half (less a quarter, which picks the threshold), measure on the check half."""
    def held_apart(tweet: dict) -> bool:
        return int(hashlib.sha256(("v" + tweet["tweet_id"]).encode()).hexdigest()[:8], 16) % 4 == 0

    def columns(chosen):
        return ([t["text"] for t, _r in chosen], [lexicon_counts(r) for _t, r in chosen],
                [t["label"] == "negative" for t, _r in chosen])

    tuning = [(t, r) for t, r in readings if half(t["tweet_id"]) == "tuning"]
    check = [(t, r) for t, r in readings if half(t["tweet_id"]) == "check"]
    fit_part = columns([(t, r) for t, r in tuning if not held_apart(t)])
    validation = columns([(t, r) for t, r in tuning if held_apart(t)])
    probabilities = learned_probabilities(learned_fit(*fit_part), *validation[:2])
    threshold = next((float(t) for t in np.arange(0.05, 1.0, 0.01) if precision_of(
        list(zip(probabilities >= t, validation[2], strict=True))) >= TARGET_PRECISION), 1.0)
    texts, counts, truth = columns(check)
    probabilities = learned_probabilities(learned_fit(*columns(tuning)), texts, counts)
    said = list(probabilities >= threshold)
    say(f"  learned negative reading (threshold {threshold:.2f} from the held-apart quarter), check half:")
    say(f"    {precision_recall(list(zip(said, truth, strict=True)))}")


def precision_of(pairs: list[tuple[bool, bool]]) -> float:
    said = [truth for s, truth in pairs if s]
    return sum(said) / len(said) if said else 0.0


def sentirueval(folder: Path) -> None:
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
    learned(readings)


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
        say(f"  {label:26} {counts[kind]:6} ({counts[kind] / len(texts):.1%})")
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
    parser.add_argument("--sample", type=int, default=0, help="flagged texts shown per flag, to check by hand")
    options = parser.parse_args()
    say(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    sentirueval(options.data)
    cfpb(options.data, options.sample)
    kursk(options.data, options.sample)
    say(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
