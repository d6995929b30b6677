"""The stop-phrase matcher scored on a labelled set of replies (bench/data/tone_replies.jsonl), shared
by bench/tone.py and the tests.

Each reply is labelled with the seeded phrases it contains, as "<language>-<n>" (the n-th phrase of
that language in answers/data/stopwords.json). A finding of a labelled phrase is a true positive, of
any other phrase a false positive; a labelled phrase not found is a false negative. Half the
replies hold stop-phrases in inflected forms or with words between; half are clean near misses.
Every fifth reply is held out: the phrases were tuned on the others only.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from amends.answers.tone import Matcher, matcher_compile

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "data" / "tone_replies.jsonl"
STOPWORDS = ROOT / "amends" / "answers" / "data" / "stopwords.json"


def replies(split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if split is None or row["split"] == split]


def seeded_matchers() -> dict[str, Matcher]:
    rows = json.loads(STOPWORDS.read_text(encoding="utf-8"))
    matchers = {}
    for language in ("ru", "en", "hy"):
        own = [row for row in rows if row["language"] == language]
        matchers[language] = matcher_compile(
            ((row["phrase"], row["replacement"], f"{language}-{n}") for n, row in enumerate(own, 1)), language,
        )
    return matchers


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


def score(rows: list[dict], matchers: dict[str, Matcher] | None = None) -> dict[str, Score]:
    """Per language and "all"."""
    matchers = matchers or seeded_matchers()
    scores: dict[str, Score] = {"all": Score()}
    for row in rows:
        language = row["language"]
        found = Counter(finding.label for finding in matchers[language].find(row["text"], language))
        labelled = set(row["phrases"])
        for current in (scores.setdefault(language, Score()), scores["all"]):
            current.true_positives += len(labelled & set(found))
            current.false_positives += len(set(found) - labelled)
            current.false_negatives += len(labelled - set(found))
        if set(found) != labelled:
            scores["all"].errors.append(f"{row['text']!r}: labelled {sorted(labelled)}, found {sorted(found)}")
    return scores
