"""Held-out figures of a model, as stored on TriageModel.evaluation (shape: docs/triage-models.md)."""

from collections import Counter

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support  # type: ignore[import-untyped]

from .keywords_learned import KeywordBaseline

CONFUSION_CLASSES = 10
CALIBRATION_BINS = 10


def scores(truth: list[str], ranked: list[list[str]]) -> dict:
    """top-1, top-3 and macro-F1 (over the classes present in the truth) of ranked guesses."""
    if not truth:
        return {"top1": 0.0, "top3": 0.0, "macro_f1": 0.0}
    first = [guess[0] if guess else "" for guess in ranked]
    return {
        "top1": round(float(np.mean([t == p for t, p in zip(truth, first, strict=True)])), 4),
        "top3": round(float(np.mean([t in guess[:3] for t, guess in zip(truth, ranked, strict=True)])), 4),
        "macro_f1": round(float(f1_score(truth, first, labels=sorted(set(truth)), average="macro",
                                         zero_division=0)), 4),
    }


def per_class(truth: list[str], predicted: list[str]) -> list[dict]:
    labels = sorted(set(truth) | set(predicted), key=lambda value: (-truth.count(value), value))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0,
    )
    return [
        {"value": value, "precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
         "support": int(s)}
        for value, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    ]


def confusion(truth: list[str], predicted: list[str], most: int = CONFUSION_CLASSES) -> dict:
    """Rows: the true value, columns: the predicted one; the `most` frequent true values, the rest as "other"."""
    frequent = [value for value, _ in Counter(truth).most_common(most)]
    labels = [*frequent, "other"] if len(set(truth) | set(predicted)) > len(frequent) else frequent
    index = {value: i for i, value in enumerate(frequent)}
    other = len(frequent)
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        matrix[index.get(t, other)][index.get(p, other)] += 1
    return {"labels": labels, "matrix": matrix}


def calibration(truth: list[str], top: list[tuple[str, float]], bins: int = CALIBRATION_BINS) -> list[dict]:
    """Per confidence bin: how many cards, their mean confidence and how often the first choice was right."""
    rows = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [(t, value, confidence) for t, (value, confidence) in zip(truth, top, strict=True)
                  if low <= confidence < high or (i == bins - 1 and confidence == 1.0)]
        rows.append({
            "from": round(low, 2), "to": round(high, 2), "count": len(inside),
            "confidence": round(float(np.mean([c for _, _, c in inside])), 4) if inside else None,
            "accuracy": round(float(np.mean([t == v for t, v, _ in inside])), 4) if inside else None,
        })
    return rows


def evaluation_build(
    *, train_texts: list[str], train_labels: list[str], test_texts: list[str], test_labels: list[str],
    choices: list[list[tuple[str, float]]],
) -> dict:
    """The model's figures on the held-out cards beside two baselines fitted on the same training part:
    always the most frequent value, and the words most typical of each value."""
    ranked = [[value for value, _ in row] for row in choices]
    predicted = [row[0] if row else "" for row in ranked]
    majority = [value for value, _ in Counter(train_labels).most_common(3)]
    keywords = KeywordBaseline.fit(train_texts, train_labels)
    return {
        **scores(test_labels, ranked),
        "per_class": per_class(test_labels, predicted),
        "confusion": confusion(test_labels, predicted),
        "calibration": calibration(test_labels, [row[0] if row else ("", 0.0) for row in choices]),
        "baselines": {
            "majority": {
                **scores(test_labels, [majority] * len(test_labels)), "value": majority[0] if majority else "",
            },
            "keywords": scores(test_labels, keywords.rank(test_texts)),
        },
    }
