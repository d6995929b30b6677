"""Benchmark, run by hand: `.venv/bin/python bench/triage.py [--cards 100000] [--latency 1000]`.

Prints ONE table: the triage model (amends/triage/learning: TF-IDF word 1-2-grams + character
3-5-grams, linear SVM, softmax calibrated on a validation slice) beside a majority-class baseline
and a keyword baseline (each value's most typical words in the training part), on real complaints
read from ../shared/data (AMENDS_SHARED_DATA), never copied into the repository:

- CFPB, rows with a narrative, read twice. "time": split by time, the oldest 80 % train (their
  newest fifth and the two slices of that size before it choose the hyper-parameters), the newest
  20 % test, as the app splits its cards. "key": split as the acceptance holdout was made (by a hash
  of each row's split_key, bench/triage_data.py `split_by_key`), 20 % of the rows test, at random with
  respect to time; the training part comes in the hash's order, so that the slices the choices are
  made on are random slices of it, never of the test part. Product and Issue names renamed over the
  years are merged into today's (bench/triage_data.py). The company is the card's organisation (a
  feature of its own, as the app gives the card's organisation). Issue is learned within its product:
  the model learns "product / issue" pairs and an issue's confidence is the sum over the products it
  appears under. "plain" is the TF-IDF + linear SVM on the text alone, the names as published, C
  chosen between 0.3 and 1 on the same slices, no class weights.
- Kursk citizen appeals, their `category` label; the data has no dates: the split by key only.
- Speed: training time on --cards cards (the CFPB narratives repeated, each copy with a different
  tenth of its words left out, so no two cards are equal), and the per-card prediction latency in
  process (one card a call), p95 of the wall-clock time and of the CPU time (the latter holds on a
  shared, loaded machine).
"""

import argparse
import os
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import environment, percentile, say  # noqa: E402

environment("amends-bench-triage-")

import django  # noqa: E402

django.setup()

import triage_data as data  # noqa: E402 - bench/triage_data.py, beside this script

from amends.triage.learning.classifier import TextClassifier, classifier_fit  # noqa: E402
from amends.triage.learning.evaluation import scores  # noqa: E402
from amends.triage.learning.keywords_learned import KeywordBaseline  # noqa: E402

TEST_SHARE = 0.2
VALIDATION_SHARE = 0.2
PAIR = " / "


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def split(rows: list) -> tuple[list, list]:
    cut = len(rows) - round(len(rows) * TEST_SHARE)
    return rows[:cut], rows[cut:]


def fit(texts: list[str], labels: list[str], organisations: list[str] | None = None, **options) -> TextClassifier:
    return classifier_fit(texts, labels, validation=round(len(texts) * VALIDATION_SHARE), organisations=organisations,
                          **options)


def ranked(classifier: TextClassifier, texts: list[str], organisations: list[str] | None = None) -> list[list[str]]:
    return [[value for value, _ in row] for row in classifier.top(texts, organisations=organisations)]


def issues_ranked(classifier: TextClassifier, texts: list[str], organisations: list[str]) -> list[list[str]]:
    """The three likeliest issues, each the sum of its product / issue pairs' probabilities."""
    probabilities = classifier.probabilities(texts, organisations)
    issues = [value.split(PAIR, 1)[1] for value in classifier.classes]
    result = []
    for row in probabilities:
        summed: dict[str, float] = defaultdict(float)
        for issue, probability in zip(issues, row, strict=True):
            summed[issue] += probability
        result.append(sorted(summed, key=summed.__getitem__, reverse=True)[:3])
    return result


def baselines(train_texts, train_labels, test_texts, test_labels) -> dict:
    majority = [value for value, _ in Counter(train_labels).most_common(3)]
    return {
        "majority": scores(test_labels, [majority] * len(test_labels)),
        "keywords": scores(test_labels, KeywordBaseline.fit(train_texts, train_labels).rank(test_texts)),
    }


def task_row(name, reading, train, test, model_scores, plain_scores, train_texts, label) -> dict:
    base = baselines(train_texts, [r.labels[label] for r in train], [r.text for r in test],
                     [r.labels[label] for r in test])
    return {"task": name, "split": reading, "train": len(train), "test": len(test), "model": model_scores,
            "plain": plain_scores, **base}


def plain_scores(train: list, test: list, label: str) -> dict:
    """The plain TF-IDF + linear SVM: the text alone, the labels as published, no class weights."""
    model = fit([r.text for r in train], [r.labels[label] for r in train], cs=(0.3, 1.0), weights=(None,))
    return scores([r.labels[label] for r in test], ranked(model, [r.text for r in test]))


def cfpb_reading(reading: str, train: list, test: list) -> list[dict]:
    texts, test_texts = [r.text for r in train], [r.text for r in test]
    companies, test_companies = [r.company for r in train], [r.company for r in test]
    product = fit(texts, [r.labels["product"] for r in train], companies)
    product_scores = scores([r.labels["product"] for r in test], ranked(product, test_texts, test_companies))
    pairs = fit(texts, [r.labels["product"] + PAIR + r.labels["issue"] for r in train], companies)
    issue_scores = scores([r.labels["issue"] for r in test], issues_ranked(pairs, test_texts, test_companies))
    say(f"{reading}: chosen on the validation slices: product {product.hyper}; issue {pairs.hyper}")
    return [
        task_row("CFPB Product", reading, train, test, product_scores, plain_scores(train, test, "product_original"),
                 texts, "product"),
        task_row("CFPB Issue", reading, train, test, issue_scores, plain_scores(train, test, "issue_original"),
                 texts, "issue"),
    ]


def cfpb_tasks() -> list[dict]:
    rows = data.cfpb_rows()
    return [*cfpb_reading("time", *split(rows)),
            *cfpb_reading("key", *data.split_by_key(rows, data.folder_of(data.CFPB)))]


def kursk_task() -> dict:
    """The appeals have no dates: the split by key only."""
    train, test = data.split_by_key(data.kursk_rows(), data.folder_of(data.KURSK))
    texts = [r.text for r in train]
    model = fit(texts, [r.labels["category"] for r in train])
    model_scores = scores([r.labels["category"] for r in test], ranked(model, [r.text for r in test]))
    return task_row("Kursk category", "key", train, test, model_scores, plain_scores(train, test, "category"), texts,
                    "category")


def varied(rows: list[data.Row], count: int) -> tuple[list[str], list[str]]:
    """`count` texts: the rows over and over, each copy missing another tenth of its words."""
    rng = random.Random(7)
    texts, labels = [], []
    while len(texts) < count:
        for row in rows[: count - len(texts)]:
            words = row.text.split()
            texts.append(" ".join(word for word in words if rng.random() >= 0.1))
            labels.append(row.labels["product"])
    return texts, labels


def speed(cards: int, calls: int) -> dict:
    rows = data.cfpb_rows()
    texts, labels = varied(rows, cards)
    started, cpu = time.perf_counter(), cpu_seconds()
    classifier = fit(texts, labels)
    training = {"seconds": time.perf_counter() - started, "cpu": cpu_seconds() - cpu}
    del texts
    sample = [rows[i % len(rows)].text for i in range(calls)]
    classifier.top(sample[:10])  # warm-up
    times, cpu_times = [], []
    cpu = cpu_seconds()
    for text in sample:
        begun, begun_cpu = time.perf_counter(), time.thread_time()
        classifier.top([text])
        times.append((time.perf_counter() - begun) * 1000)
        cpu_times.append((time.thread_time() - begun_cpu) * 1000)
    return {"cards": cards, "training": training, "p95_ms": percentile(times, 0.95),
            "median_ms": percentile(times, 0.5), "cpu_p95_ms": percentile(cpu_times, 0.95),
            "cpu_ms": (cpu_seconds() - cpu) * 1000 / calls,
            "classes": len(classifier.classes), "hyper": classifier.hyper}


def table(rows: list[dict]) -> None:
    """Each task's readings together: the time split, then the split by key."""
    tasks = list(dict.fromkeys(row["task"] for row in rows))
    say(f"{'task':16} {'split':5} {'train/test':>11} | {'top-1':>6} {'top-3':>6} {'mF1':>6} | {'plain':>6} "
        f"{'mF1':>6} | {'major.':>6} {'mF1':>6} | {'keyw.':>6} {'mF1':>6}")
    for row in sorted(rows, key=lambda row: tasks.index(row["task"])):
        model, plain = row["model"], row["plain"]
        say(f"{row['task']:16} {row['split']:5} {row['train']:>5}/{row['test']:<5} | {model['top1']:6.3f} "
            f"{model['top3']:6.3f} {model['macro_f1']:6.3f} | {plain['top1']:6.3f} {plain['macro_f1']:6.3f} | "
            f"{row['majority']['top1']:6.3f} {row['majority']['macro_f1']:6.3f} | "
            f"{row['keywords']['top1']:6.3f} {row['keywords']['macro_f1']:6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000, help="cards the training time is measured on")
    parser.add_argument("--latency", type=int, default=1000, help="single-card predictions timed")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--only-speed", action="store_true")
    options = parser.parse_args()
    found = []
    if options.only_speed:
        pass
    elif data.available(data.CFPB):
        found += cfpb_tasks()
    else:
        say(f"no CFPB sample under {data.data_dir()}: skipped")
    if options.only_speed:
        pass
    elif data.available(data.KURSK):
        found.append(kursk_task())
    else:
        say(f"no Kursk appeals under {data.data_dir()}: skipped")
    measured = None if options.skip_speed or not data.available(data.CFPB) else speed(options.cards, options.latency)
    say(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    table(found)
    if measured:
        training = measured["training"]
        say(f"{'speed':16} training on {measured['cards']:,} cards ({measured['classes']} values): "
            f"{training['seconds']:.0f} s ({training['cpu']:.0f} s CPU); prediction one card a call: "
            f"p95 {measured['p95_ms']:.2f} ms, median {measured['median_ms']:.2f} ms, "
            f"CPU p95 {measured['cpu_p95_ms']:.2f} ms, mean {measured['cpu_ms']:.2f} ms")


if __name__ == "__main__":
    main()
