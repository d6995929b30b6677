"""The records both systems are filled with, generated once into a JSON-lines file: wordings made
of the sentences of real complaints in ../shared/data (AMENDS_SHARED_DATA), Russian and English, a
third of them whole complaints with an order number; spread over two years up to an hour ago; a
customer each from a pool of a quarter as many; a fifth still open, the rest closed."""

import csv
import gzip
import html
import json
import os
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

# ../shared/data beside the checkout, or beside the folder of worktrees.
DATA_DIR = Path(os.environ.get("AMENDS_SHARED_DATA") or next(
    (p / "shared" / "data" for p in Path(__file__).resolve().parents[3:5] if (p / "shared" / "data").is_dir()),
    Path(__file__).resolve().parents[3] / "shared" / "data"))
SOURCES = [  # file, text column, the label column and labels kept (negative tweets are the complaints)
    ("ru_kursk_citizen_appeals/ru_kursk_citizen_appeals_dev.csv.gz", "text", None, None),
    ("ru_sentirueval2016_bank_telecom_tweets/ru_sentirueval2016_bank_telecom_tweets_dev.csv.gz", "text", "label",
     {"negative", "mixed"}),
    ("cfpb_complaints/cfpb_complaints_dev.csv.gz", "Consumer complaint narrative", None, None),
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CYRILLIC = re.compile(r"[а-яё]+$")
_MARKUP = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]{5,}")


def texts() -> list[str]:
    csv.field_size_limit(10**8)
    found = []
    for name, column, label, kept in SOURCES:
        path = DATA_DIR / name
        if not path.is_file():
            continue
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if label and row.get(label) not in kept:
                    continue
                text = " ".join(html.unescape(_MARKUP.sub(" ", row[column] or "")).split())
                if 20 < len(text) < 3000:
                    found.append(text)
    if not found:
        raise SystemExit(f"no complaint texts in {DATA_DIR} (set AMENDS_SHARED_DATA)")
    return found


def generate(path: Path, count: int, seed: int = 18) -> dict[str, str]:
    """Write `count` records to `path`; returns two search words: a common one and a rare one
    (found in about 10 % and, Russian, 0.2 % of the records; lower case, as both systems match them)."""
    rng = random.Random(seed)
    pool = texts()
    sentences = [s for t in pool for s in _SENTENCE.split(t) if len(s) > 20]
    templates = rng.sample([t for t in pool if 200 < len(t) < 2000], min(300, len(pool)))
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    span = timedelta(days=730)
    frequency: Counter = Counter()
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, count + 1):
            if rng.random() < 1 / 3:
                text = f"{rng.choice(templates)} Order {rng.randrange(10**6)}."
            else:
                text = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            frequency.update({w.lower() for w in _WORD.findall(text)})
            title = " ".join(text.split()[:10])[:150]
            out.write(json.dumps({
                "n": n, "received": (now - span * (count - n) / count).isoformat(), "title": title, "text": text,
                "customer": rng.randrange(max(1, count // 4)), "open": rng.random() < 0.2,
            }, ensure_ascii=False) + "\n")

    def nearest(share: float, words) -> str:
        return min(words, key=lambda w: (abs(frequency[w] - share * count), w))

    return {"common": nearest(0.10, frequency), "rare": nearest(0.002, [w for w in frequency if _CYRILLIC.match(w)])}


def read(path: Path):
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)
