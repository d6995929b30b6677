"""A labelled near-duplicate set built from the real complaints in ../shared/data, and the
detector's precision and recall on it. Used by bench/duplicates.py and by the tests.

For each data set a pool of distinct original wordings is taken; some are re-sent with the
edits people and channels make (typos, a dropped or moved sentence, a greeting and a
signature, other numbers, truncation, case, HTML or lost punctuation, masked names). Each
edited copy is looked up in the pool the way a registration is: band keys first, then the
similarity of the sketches. Finding its original is a true positive; any other pool
wording above the threshold is a false positive — so every other wording of the pool, most
of them on the same product or topic, is a negative. CFPB narratives repeated word for
word under different Complaint IDs are natural positives.

The data is read where it lies and never copied into the repository.
"""

import csv
import gzip
import html
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.choices import Channel
from amends.complaints.models import Complaint, new_tracking_code
from amends.customers.models import Contact
from amends.duplicates import detector, selectors
from amends.duplicates.services import MAX_KEY_CARDS, duplicates_check

DATA_DIR = Path(os.environ.get(
    "AMENDS_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data",
)).resolve()


@dataclass(frozen=True)
class Dataset:
    name: str
    path: str
    language: str
    text_column: str
    # Rows kept: those whose `filter_column` is one of `filter_values` (all rows when empty).
    filter_column: str = ""
    filter_values: frozenset[str] = frozenset()


DATASETS = {
    d.name: d for d in [
        Dataset("cfpb", "cfpb_complaints/cfpb_complaints_dev.csv.gz", "en", "Consumer complaint narrative"),
        Dataset("kursk", "ru_kursk_citizen_appeals/ru_kursk_citizen_appeals_dev.csv.gz", "ru", "text"),
        # Negative tweets are the public complaints; the rest are mostly news and ads.
        Dataset(
            "tweets", "ru_sentirueval2016_bank_telecom_tweets/ru_sentirueval2016_bank_telecom_tweets_dev.csv.gz",
            "ru", "text", "label", frozenset({"negative", "mixed"}),
        ),
        Dataset("spotify", "twcs_spotifycares_inbound/twcs_spotifycares_inbound_dev.csv.gz", "en", "text"),
    ]
}


def data_available(name: str) -> bool:
    return (DATA_DIR / DATASETS[name].path).is_file()


def load_texts(name: str) -> list[str]:
    dataset = DATASETS[name]
    csv.field_size_limit(10**8)
    with gzip.open(DATA_DIR / dataset.path, "rt", encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        text = header.index(dataset.text_column)
        column = header.index(dataset.filter_column) if dataset.filter_column else None
        return [
            row[text] for row in rows
            if row[text].strip() and (column is None or row[column] in dataset.filter_values)
        ]


# ---- the edits a complaint goes through when it is sent again ---------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CAPITALISED = re.compile(r"\b[A-ZА-ЯЁ][a-zа-яё]{3,}\b")
_LETTERS = "etaoinshrdlcumwfgypbvkолеаинтсрвкмдпуяызбгчйхжшюцщэфъё"
GREETINGS = {
    "ru": ["Здравствуйте!", "Добрый день.", "Повторно обращаюсь по тому же вопросу.", "Уважаемые господа!"],
    "en": ["Hello,", "Hi,", "To whom it may concern,", "I am writing again about this."],
}
SIGNATURES = {
    "ru": ["С уважением, Петров И. С.", "Жду ответа.", "Прошу разобраться!", "Спасибо."],
    "en": ["Thank you.", "Regards, John Smith", "Please help.", "I look forward to your response."],
}


def _typos(text: str, rng: random.Random, language: str) -> str:
    chars = list(text)
    for _ in range(max(1, min(6, len(chars) // 100))):
        if len(chars) < 4:
            break
        i = rng.randrange(1, len(chars) - 2)
        match rng.randrange(4):
            case 0:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            case 1:
                del chars[i]
            case 2:
                chars.insert(i, chars[i])
            case _:
                chars[i] = rng.choice(_LETTERS)
    return "".join(chars)


def _drop_sentence(text: str, rng: random.Random, language: str) -> str:
    sentences = _SENTENCE.split(text)
    if len(sentences) < 3:
        return _typos(text, rng, language)
    del sentences[rng.randrange(len(sentences))]
    return " ".join(sentences)


def _move_sentence(text: str, rng: random.Random, language: str) -> str:
    sentences = _SENTENCE.split(text)
    if len(sentences) < 2:
        return _typos(text, rng, language)
    i, j = rng.sample(range(len(sentences)), 2)
    sentences[i], sentences[j] = sentences[j], sentences[i]
    return " ".join(sentences)


def _greeting_and_signature(text: str, rng: random.Random, language: str) -> str:
    return f"{rng.choice(GREETINGS[language])} {text}\n{rng.choice(SIGNATURES[language])}"


def _numbers(text: str, rng: random.Random, language: str) -> str:
    if not re.search(r"\d", text):
        return f"{text} {rng.randrange(1, 31)}.{rng.randrange(1, 13):02d}"
    return re.sub(r"\d", lambda m: str(rng.randrange(10)) if rng.random() < 0.5 else m.group(), text)


def _truncate(text: str, rng: random.Random, language: str) -> str:
    return text[:max(30, int(len(text) * rng.uniform(0.6, 0.9)))]


def _case(text: str, rng: random.Random, language: str) -> str:
    return rng.choice([text.upper(), text.lower(), text.capitalize()])


def _markup(text: str, rng: random.Random, language: str) -> str:
    if rng.random() < 0.5:
        return re.sub(r"[,.;:!?«»\"()]", "", text)
    return "<p>" + text.replace("\n", "</p><p>").replace(" ", "&nbsp;", 3) + "</p>"


def _mask(text: str, rng: random.Random, language: str) -> str:
    return _CAPITALISED.sub(lambda m: "XXXX" if rng.random() < 0.5 else m.group(), text)


EDITS = {
    "typos": _typos, "drop_sentence": _drop_sentence, "move_sentence": _move_sentence,
    "greeting": _greeting_and_signature, "numbers": _numbers, "truncate": _truncate,
    "case": _case, "markup": _markup, "mask": _mask,
}


def edit(text: str, rng: random.Random, language: str) -> tuple[str, tuple[str, ...]]:
    """One to three edits at random, as a re-sent complaint would have."""
    names = tuple(rng.sample(sorted(EDITS), rng.choice([1, 2, 2, 3])))
    edited = text
    for name in names:
        edited = EDITS[name](edited, rng, language)
    if edited == text:  # e.g. lower case on a text already in lower case
        edited, names = _typos(edited, rng, language), (*names, "typos")
    return edited, names


# ---- the labelled set ----------------------------------------------------------------------

_URLS_MENTIONS = re.compile(r"(?:https?://|www\.)\S+|(?<!\w)@\w+|^\s*RT\b", re.IGNORECASE)


def plain_key(text: str) -> str:
    """Letters only, lower case: identical keys are the same text for labelling purposes."""
    text = _URLS_MENTIONS.sub(" ", html.unescape(re.sub(r"<[^>]*>", " ", text)))
    return " ".join(re.sub(r"[\W\d_]+", " ", text.lower()).split())


@dataclass
class Query:
    text: str
    target: int  # index of the original in the pool
    edits: tuple[str, ...]


@dataclass
class LabelledSet:
    name: str
    pool: list[str]
    queries: list[Query]
    near_identical_dropped: int = 0


def _distinct_pool(texts: list[str], size: int, rng: random.Random, first: list[str] = ()) -> tuple[list[str], int]:
    """Distinct wordings: one per plain key, and none whose word set overlaps an earlier one's
    by 80 % or more (texts that are unmistakably the same, such as a template re-sent by
    many people, or a news headline retweeted, would be unlabelled positives)."""
    by_text: dict[str, str] = {}
    for text in texts:
        by_text.setdefault(" ".join(text.lower().split()), text)
    first_keys = {" ".join(t.lower().split()) for t in first}
    rest = [t for k, t in by_text.items() if k not in first_keys]
    rng.shuffle(rest)
    # Word frequencies from a plain split: only used to pick each text's rarest words.
    frequency = Counter(word for text in by_text for word in set(text.split()))
    kept: list[set[str]] = []
    texts_kept: list[str] = []
    # Two word sets that overlap by 80 % share some of either one's rarest words.
    index: dict[str, list[int]] = defaultdict(list)
    dropped = 0
    keys_seen: set[str] = set()
    for text in [*first, *rest]:
        if len(kept) >= size:
            break
        key = plain_key(text)
        if len(key) < 3 or key in keys_seen:
            continue
        keys_seen.add(key)
        words = set(key.split())
        rare = sorted(words, key=lambda w: (frequency[w], w))[:8]
        nearby = {j for word in rare for j in index[word]}
        if any(len(words & kept[j]) / len(words | kept[j]) >= 0.8 for j in nearby):
            dropped += 1
            continue
        for word in rare:
            index[word].append(len(kept))
        kept.append(words)
        texts_kept.append(text)
    return texts_kept, dropped


def labelled_set(name: str, *, pool_size: int, queries: int, seed: int = 7) -> LabelledSet:
    rng = random.Random(f"{name}:{seed}")
    texts = load_texts(name)
    natural: list[list[str]] = []
    if name == "cfpb":
        groups: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            groups[" ".join(text.lower().split())].append(text)
        natural = [g for g in groups.values() if len(g) > 1]
        rng.shuffle(natural)
        natural = natural[:max(1, queries // 5)]
    pool, dropped = _distinct_pool(texts, pool_size, rng, first=[g[0] for g in natural])
    where = {text: i for i, text in enumerate(pool)}
    result = [Query(g[1], where[g[0]], ("repeated",)) for g in natural if g[0] in where]
    candidates = [i for i, text in enumerate(pool) if len(plain_key(text)) >= 30]
    language = DATASETS[name].language
    for i in rng.sample(candidates, min(len(candidates), queries - len(result))):
        text, edits = edit(pool[i], rng, language)
        result.append(Query(text, i, edits))
    return LabelledSet(name, pool, result, dropped)


# ---- measuring ----------------------------------------------------------------------------

# Another pool wording sharing half its words or more with the original is left unlabelled:
# in this data such pairs are one template filled in by different people, or one appeal sent
# twice with more or less detail — duplicates by text that nobody labelled as such.
UNLABELLED_WORD_OVERLAP = 0.5


@dataclass
class Outcome:
    """Per query: the original's score (None when no band was shared) and other pool wordings'
    scores, each marked whether it is unlabelled (see UNLABELLED_WORD_OVERLAP)."""

    target_scores: list[float | None] = field(default_factory=list)
    other_scores: list[tuple[float, bool]] = field(default_factory=list)
    candidates_scored: int = 0
    missed_edits: Counter = field(default_factory=Counter)

    def at(self, threshold: float, *, strict: bool = True) -> tuple[float, float, float]:
        """Precision, recall and F1; `strict=False` leaves unlabelled pairs out of precision."""
        tp = sum(1 for s in self.target_scores if s is not None and s >= threshold)
        fp = sum(1 for s, unlabelled in self.other_scores if s >= threshold and (strict or not unlabelled))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / len(self.target_scores) if self.target_scores else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def lsh_misses(self) -> int:
        return sum(1 for s in self.target_scores if s is None)


class MemoryIndex:
    """The band lookup the database does at registration, in memory."""

    def __init__(self, texts: list[str], *, per_key: int | None = MAX_KEY_CARDS):
        self.per_key = per_key  # latest wordings read per band key (None: all)
        self.signatures = [detector.signature(t) for t in texts]
        self.bands: dict[int, list[int]] = defaultdict(list)
        for i, sig in enumerate(self.signatures):
            for key in sig.bands:
                self.bands[key].append(i)

    def candidates(self, sig: detector.Signature, limit: int = 100) -> set[int]:
        """Wordings sharing a band key, most shared keys first, as services.MAX_SCORED keeps;
        of a key, only its `per_key` latest wordings, as services.MAX_KEY_CARDS reads."""
        start = -self.per_key if self.per_key else 0
        shared = Counter(i for key in sig.bands for i in self.bands.get(key, [])[start:])
        ranked = sorted(shared, key=lambda i: (shared[i], i), reverse=True)
        return set(ranked[:limit])


def measure(
    labelled: LabelledSet, *, floor: float = 0.3, index: MemoryIndex | None = None,
    missed_below: float = 0.7,
) -> Outcome:
    index = index or MemoryIndex(labelled.pool)
    outcome = Outcome()
    words: dict[int, set[str]] = {}

    def word_set(i: int) -> set[str]:
        if i not in words:
            words[i] = set(plain_key(labelled.pool[i]).split())
        return words[i]

    for query in labelled.queries:
        sig = detector.signature(query.text)
        mine = frozenset(sig.sketch)
        found = index.candidates(sig)
        outcome.candidates_scored += len(found)
        target = None
        for i in found:
            score = detector.score(sig, index.signatures[i], a_set=mine)
            if i == query.target:
                target = score
            elif score >= floor:
                a, b = word_set(query.target), word_set(i)
                unlabelled = len(a & b) >= UNLABELLED_WORD_OVERLAP * len(a | b)
                outcome.other_scores.append((score, unlabelled))
        outcome.target_scores.append(target)
        if target is None or target < missed_below:
            outcome.missed_edits.update(query.edits)
    return outcome


def sample_sets(*, pool_size: int, queries: int, seed: int = 7) -> Iterator[LabelledSet]:
    for name in DATASETS:
        if data_available(name):
            yield labelled_set(name, pool_size=pool_size, queries=queries, seed=seed)


# ---- who sent it: the same customer's duplicates, other customers' similar complaints (CFPB) ----

CFPB_COLUMNS = ("Consumer complaint narrative", "Company", "Issue", "State", "ZIP code")


@dataclass(frozen=True)
class Narrative:
    text: str
    company: str
    issue: str
    place: tuple[str, str]  # state and ZIP code: another place is another consumer


@dataclass(frozen=True)
class HardNegative:
    """Two consumers' narratives on the same company and issue that meet in the band index."""

    first: str
    second: str
    template: bool  # sharing half their words: one template, a similar complaint to show
    score: float  # the detector's text similarity


@dataclass
class CustomerSet:
    resends: list[tuple[str, str]]  # (original, the same customer's edited copy)
    negatives: list[HardNegative]


def load_narratives() -> list[Narrative]:
    """CFPB narratives whose company, issue, state and ZIP code are known."""
    csv.field_size_limit(10**8)
    with gzip.open(DATA_DIR / DATASETS["cfpb"].path, "rt", encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        text, company, issue, state, zip_code = (header.index(column) for column in CFPB_COLUMNS)
        return [
            Narrative(row[text], row[company], row[issue], (row[state], row[zip_code]))
            for row in rows if row[text].strip() and all(row[i] for i in (company, issue, state, zip_code))
        ]


def _words_overlap(a: str, b: str) -> bool:
    words_a, words_b = set(plain_key(a).split()), set(plain_key(b).split())
    return len(words_a & words_b) >= UNLABELLED_WORD_OVERLAP * len(words_a | words_b)


def customer_set(*, resends: int, negatives: int, per_group: int = 3, seed: int = 7) -> CustomerSet:
    """`negatives` hard negatives, at most `per_group` of each company and issue, and `resends`
    same-customer resends of other narratives. Groups are visited in a seeded order and signed as
    visited, so a small set costs little."""
    rng = random.Random(f"customers:{seed}")
    narratives = load_narratives()
    groups: dict[tuple[str, str], list[Narrative]] = defaultdict(list)
    for narrative in narratives:
        groups[narrative.company, narrative.issue].append(narrative)
    order = sorted(groups)
    rng.shuffle(order)
    found: list[HardNegative] = []
    used: set[str] = set()
    for key in order:
        if len(found) >= negatives:
            break
        group = groups[key]
        signatures = [detector.signature(n.text) for n in group]
        meeting: dict[int, list[int]] = defaultdict(list)
        for i, signature in enumerate(signatures):
            for band in signature.bands:
                meeting[band].append(i)
        pairs = sorted({
            (i, j) for members in meeting.values() for i in members for j in members
            if i < j and group[i].place != group[j].place and group[i].text != group[j].text
        })
        for i, j in rng.sample(pairs, min(per_group, len(pairs), negatives - len(found))):
            first, second = group[i].text, group[j].text
            found.append(HardNegative(
                first, second, _words_overlap(first, second), detector.score(signatures[i], signatures[j]),
            ))
            used |= {first, second}
    rest = sorted({n.text for n in narratives if n.text not in used and len(plain_key(n.text)) >= 30})
    originals = rng.sample(rest, min(resends, len(rest)))
    return CustomerSet([(text, edit(text, rng, "en")[0]) for text in originals], found)


@dataclass
class CustomerOutcome:
    resends_found: int = 0  # offered as a duplicate of its original
    resends: int = 0
    duplicate_calls: int = 0  # hard negatives whose first card was offered as a duplicate of the second
    negatives: int = 0
    similar: Counter = field(default_factory=Counter)  # (template, shown as similar) per hard negative

    def duplicates(self) -> tuple[float, float]:
        """Precision and recall of the same-customer duplicates (another customer's card called a duplicate
        is a false one)."""
        calls = self.resends_found + self.duplicate_calls
        return (self.resends_found / calls if calls else 1.0), self.resends_found / max(1, self.resends)

    def similar_complaints(self) -> tuple[float, float]:
        """Precision and recall of other customers' similar complaints (a template pair is one to show)."""
        shown = self.similar[True, True] + self.similar[False, True]
        templates = self.similar[True, True] + self.similar[True, False]
        return (self.similar[True, True] / shown if shown else 1.0), self.similar[True, True] / max(1, templates)

    def duplicate_call_rate(self) -> float:
        """Share of hard negatives (other customers) called duplicates."""
        return self.duplicate_calls / max(1, self.negatives)


def measure_customers(labelled: CustomerSet, *, registered_by: User) -> CustomerOutcome:
    """Register each resend and each hard negative with its customers, the earlier card first, and
    read what the later card shows (`selectors.card_candidates`): possible duplicates and similar
    complaints. Each pair is registered alone, in a transaction rolled back after it: a template filed
    by many customers would otherwise crowd a pair's partner out of the card's ten candidates of a kind."""
    now = timezone.now()
    serial = iter(range(1, 10**7))

    def customer() -> Contact:
        n = next(serial)
        return Contact.objects.create(full_name=f"Consumer {n}", email=f"consumer{n}@example.com")

    def checked(text: str, contact: Contact, days_ago: float, channel: str) -> Complaint:
        card = Complaint.objects.create(
            number=f"E-{next(serial):07d}", tracking_code=new_tracking_code(), wording=text, contact=contact,
            received_at=now - timedelta(days=days_ago), channel=channel, registered_by=registered_by,
        )
        duplicates_check(complaint=card)
        return card

    def names(candidates: list, card: Complaint) -> bool:
        return any(c.candidate_id == card.pk for c in candidates)

    outcome = CustomerOutcome(resends=len(labelled.resends), negatives=len(labelled.negatives))
    for original, copy in labelled.resends:
        with transaction.atomic():
            contact = customer()
            first = checked(original, contact, 3, Channel.PHONE)
            new = checked(copy, contact, 0, Channel.EMAIL)
            duplicates, _ = selectors.card_candidates(new)
            outcome.resends_found += names(duplicates, first)
            transaction.set_rollback(True)
    for negative in labelled.negatives:
        with transaction.atomic():
            first = checked(negative.first, customer(), 2, Channel.WEB_FORM)
            new = checked(negative.second, customer(), 0, Channel.EMAIL)
            duplicates, similar = selectors.card_candidates(new)
            outcome.duplicate_calls += names(duplicates, first)
            shown = names(similar, first)
            outcome.similar[negative.template, shown] += 1
            transaction.set_rollback(True)
    return outcome
