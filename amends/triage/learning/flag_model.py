"""The learned reading of the negative-emotion flag: logistic regression over the fields' TF-IDF features
and the word lists' counts, flagging a text from the probability whose precision held at TARGET_PRECISION
on the training part's newest slices (docs/triage-flags.md).

Labels are "yes" (the wording is negative) and "no"; figures are precision and recall at that threshold,
beside the word lists' on the same cards."""

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

from amends.core.pauses import pause_point

from .. import emotion
from .classifier import FOLDS, SEARCH_CARDS, features_new, prepared
from .text import text_scripts

YES, NO = "yes", "no"
TARGET_PRECISION = 0.80
# Measured on SentiRuEval's tuning half (bench/triage_flags.py): C among 1, 3, 10; the counts' weight 0.5 or 1.
C = 3.0
THRESHOLDS = np.round(np.arange(0.05, 1.0, 0.01), 2)
# A threshold that flags fewer of the slices' cards says too little of its precision to be judged.
MIN_FLAGGED = 10


def lexicon_counts(texts: list[str]) -> np.ndarray:
    """Per text what the word lists found: their negative reading, anger, feelings, problems, thanks,
    shouting, a sad face. Without them 2,000 labels are too few to learn those words again."""
    rows = []
    for text in texts:
        reading = emotion.read(text or "")
        rows.append([float(reading.negative), len(reading.anger), len(reading.feeling), len(reading.problem),
                     len(reading.positive), float(reading.shouting), float(reading.sad)])
    return np.array(rows, dtype=np.float32).reshape(len(texts), 7)


def _matrix(features: FeatureUnion, texts: list[str], *, fit: bool = False) -> sparse.csr_matrix:
    text = features.fit_transform(prepared(texts)) if fit else features.transform(prepared(texts))
    return sparse.hstack([text, lexicon_counts(texts)], format="csr")


def precision_recall(said: list[bool], truth: list[bool]) -> dict:
    hits = sum(1 for s, t in zip(said, truth, strict=True) if s and t)
    flagged, negative = sum(said), sum(truth)
    precision = hits / flagged if flagged else 0.0
    recall = hits / negative if negative else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "flagged": flagged, "negative": negative}


def threshold_choose(probabilities: np.ndarray, truth: list[bool]) -> float | None:
    """The lowest threshold from which, up to the highest, the flags are right at least TARGET_PRECISION of
    the time (those flagging fewer than MIN_FLAGGED cards not judged); None if there is none. Precision
    zigzags as a threshold falls: the first low one that touches the target by chance is not taken."""
    chosen = None
    for threshold in THRESHOLDS[::-1]:
        said = list(probabilities >= threshold)
        if sum(said) < MIN_FLAGGED:
            continue
        if precision_recall(said, truth)["precision"] < TARGET_PRECISION:
            break
        chosen = float(threshold)
    return chosen


@dataclass
class FlagClassifier:
    features: FeatureUnion
    regression: LogisticRegression
    # None: no threshold reached the target precision on the slice, and the model flags nothing.
    threshold: float | None
    scripts: set[str] = field(default_factory=set)
    hyper: dict = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        return [str(value) for value in self.regression.classes_]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """The probability that each text is negative."""
        if not texts:
            return np.zeros(0)
        return self.regression.predict_proba(_matrix(self.features, texts))[:, self.classes.index(YES)]

    def said(self, texts: list[str]) -> list[bool]:
        if self.threshold is None:
            return [False] * len(texts)
        return [bool(p >= self.threshold) for p in self.probabilities(texts)]

    def knows_script(self, text: str) -> bool:
        return not self.scripts or bool(text_scripts(text) & self.scripts) or not text_scripts(text)


def _fit(matrix, labels: list[str]) -> LogisticRegression:
    pause_point()  # a fit takes seconds on many cards: the worker's intake goes first
    return LogisticRegression(C=C, max_iter=3000).fit(matrix, labels)


def _slices(matrix, labels: list[str], validation: int) -> tuple[np.ndarray, list[bool]]:
    """The newest FOLDS slices of `validation` cards, each scored by a model fitted on the cards before it
    (at most SEARCH_CARDS of them): their probabilities and labels, pooled."""
    probabilities, truth = [], []
    ends = range(len(labels), len(labels) - FOLDS * validation, -validation) if validation else range(0)
    for end in ends:
        cut = end - validation
        start = max(0, cut - SEARCH_CARDS)
        if cut <= 0 or not {YES, NO} <= set(labels[start:cut]):
            continue
        early = _fit(matrix[start:cut], labels[start:cut])
        probabilities.append(early.predict_proba(matrix[cut:end])[:, list(early.classes_).index(YES)])
        truth += [label == YES for label in labels[cut:end]]
    return (np.concatenate(probabilities) if probabilities else np.zeros(0)), truth


def flag_classifier_fit(texts: list[str], labels: list[str], *, validation: int) -> FlagClassifier:
    """Fit on `texts` (oldest first): the threshold is chosen on the newest FOLDS slices of `validation`
    of them, each scored by a model fitted on those before it; the model kept is fitted on all of them."""
    features = features_new()
    matrix = _matrix(features, texts, fit=True)
    probabilities, truth = _slices(matrix, labels, validation)
    threshold = threshold_choose(probabilities, truth) if truth else None
    scripts: set[str] = set()
    for text in texts:
        scripts |= text_scripts(text, share=0.5)
    hyper = {"C": C, "threshold": threshold, "validation": validation, "folds": FOLDS, "judged": len(truth),
             "target_precision": TARGET_PRECISION}
    return FlagClassifier(features=features, regression=_fit(matrix, labels), threshold=threshold, scripts=scripts,
                          hyper=hyper)


def flag_scores(classifier: FlagClassifier, texts: list[str], labels: list[str]) -> dict:
    """Precision, recall and F1 of the classifier's flags at its threshold."""
    return precision_recall(classifier.said(texts), [label == YES for label in labels])


def flag_evaluation(classifier: FlagClassifier, test_texts: list[str], test_labels: list[str]) -> dict:
    """The model's figures on the test part beside the word lists' (emotion.negative) on the same cards."""
    truth = [label == YES for label in test_labels]
    lists = [bool(row[0]) for row in lexicon_counts(test_texts)]
    return {
        **flag_scores(classifier, test_texts, test_labels),
        "threshold": classifier.threshold, "target_precision": TARGET_PRECISION,
        "baselines": {"word_lists": precision_recall(lists, truth)},
    }
