"""Near-duplicate text detection for complaint wordings, in pure Python (DOMAIN.md §1).

A wording is normalised (case, ё/е, HTML, links, @mentions, masked personal data such as
XXXX, digits, punctuation) and cut into overlapping character 5-grams ("shingles"), each
hashed to 32 bits. Two wordings are compared by `score`: the mean of the Jaccard similarity of
their shingle sets and the share of the shorter one's shingles found in the longer one, which
is robust to typos, reordered, added or dropped sentences, greetings and truncation.

A `Signature` is what is stored per card so that no other card's text is read again:
  * `sketch`: the SKETCH_SIZE smallest shingle hashes (a bottom-k sketch). Jaccard is
    computed from two sketches exactly when both wordings have at most SKETCH_SIZE
    shingles (about that many characters), and estimated closely otherwise;
  * `bands`: locality-sensitive hashing keys. A one-permutation MinHash of NUM_BINS bins
    is cut into BANDS bands of ROWS bins; two wordings with Jaccard J share at least one
    band with probability 1 - (1 - J**ROWS)**BANDS (0.96 at J=0.4, 0.998 at J=0.5,
    0.05 at J=0.1), so an index on band keys finds the likely duplicates among many
    thousands of cards without reading them;
  * `digest`: a hash of the normalised text, for "the same text" after trivial changes.
"""

import hashlib
import re
import struct
import sys
import zlib
from array import array
from bisect import bisect_right
from dataclasses import dataclass

from amends.core.markup import html_unescape

SHINGLE = 5
SKETCH_SIZE = 512
ROWS = 3
BANDS = 50
NUM_BINS = ROWS * BANDS
# Wordings with fewer shingles than this (a few words) are too short to compare by text.
MIN_SHINGLES = 8
# Only the start of a wording is signed: enough to tell duplicates apart (the web form takes
# 20,000 characters), and a 4 MB text costs no more than this.
SIGNED_CHARACTERS = 32_000

# Every pattern below runs in time linear in the text: a match attempt never rescans what an
# earlier attempt at another start already covered (no "<" inside a tag, an address starts
# where a run of address characters starts).
_TAG = re.compile(r"<[^<>]*>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_RETWEET = re.compile(r"^\s*rt\b", re.IGNORECASE)
# Personal data masked by the sender or a previous system: XXXX, XX/XX/XXXX, ХХХ, ***.
_MASK = re.compile(r"(?<![^\W\d_])[XxХх]{2,}(?![^\W\d_])|\*{2,}")
_MASK_HINT = re.compile(r"[XxХх]{2}")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_MASK32 = 0xFFFFFFFF


def normalise(text: str) -> str:
    """The wording reduced to lower-case words and single spaces; numbers become "0"."""
    text = text or ""
    # Each pattern tries every position: the ones that cannot match are not run at all.
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = html_unescape(text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", _EMAIL.sub(" ", text))
    text = _RETWEET.sub(" ", text)
    if "**" in text or _MASK_HINT.search(text):
        text = _MASK.sub(" ", text)
    text = text.casefold().replace("ё", "е")
    text = _DIGITS.sub("0", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def shingles(normalised: str) -> set[int]:
    """32-bit hashes of the character 5-grams of a normalised wording, word edges included."""
    if not normalised:
        return set()
    # UTF-32 gives every character four bytes, so a 5-gram is a 20-byte slice.
    data = f" {normalised} ".encode("utf-32-le")
    width, crc = 4 * SHINGLE, zlib.crc32
    last = max(0, len(data) - width)
    hashes = set()
    for start in range(0, last + 1, 4):
        # crc32 is fast but linear; a multiply and a shift spread its bits.
        value = (crc(data[start:start + width]) * 0x9E3779B1) & _MASK32
        hashes.add(value ^ (value >> 16))
    return hashes


def _minhash(hashes: set[int]) -> list[int]:
    """One-permutation MinHash: the least value per bin, empty bins filled from the right."""
    bins: list[int | None] = [None] * NUM_BINS
    for value in hashes:
        index, rest = value % NUM_BINS, value // NUM_BINS
        current = bins[index]
        if current is None or rest < current:
            bins[index] = rest
    filled = [i for i, v in enumerate(bins) if v is not None]
    if not filled:
        return []
    # Rotation densification: an empty bin borrows the next filled bin's value, offset by
    # the distance so that borrowed and own values never coincide.
    result = [0] * NUM_BINS
    for i in range(NUM_BINS):
        own = bins[i]
        if own is not None:
            result[i] = own
            continue
        distance = 1
        while (borrowed := bins[(i + distance) % NUM_BINS]) is None:
            distance += 1
        result[i] = borrowed + distance * (1 << 32)
    return result


def _bands(minhash: list[int]) -> tuple[int, ...]:
    """A signed 64-bit key per band; a band takes bins spread over the whole range."""
    keys = []
    for band in range(BANDS):
        rows = [minhash[band + BANDS * row] for row in range(ROWS)]
        digest = hashlib.blake2b(struct.pack(f"<H{ROWS}Q", band, *rows), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


@dataclass(frozen=True)
class Signature:
    size: int  # shingles in the whole wording
    sketch: tuple[int, ...]  # the smallest SKETCH_SIZE shingle hashes, ascending
    bands: tuple[int, ...]
    digest: str  # of the normalised wording

    @property
    def comparable(self) -> bool:
        return self.size >= MIN_SHINGLES

    def sketch_bytes(self) -> bytes:
        packed = array("I", self.sketch)
        if sys.byteorder != "little":
            packed.byteswap()
        return packed.tobytes()

    @staticmethod
    def sketch_from_bytes(data: bytes | memoryview) -> tuple[int, ...]:
        packed = array("I")
        packed.frombytes(bytes(data))
        if sys.byteorder != "little":
            packed.byteswap()
        return tuple(packed)


def signature(text: str) -> Signature:
    normalised = normalise(text[:SIGNED_CHARACTERS])
    hashes = shingles(normalised)
    digest = hashlib.sha1(normalised.encode()).hexdigest()
    sketch = tuple(sorted(hashes)[:SKETCH_SIZE])
    bands = _bands(_minhash(hashes)) if len(hashes) >= MIN_SHINGLES else ()
    return Signature(size=len(hashes), sketch=sketch, bands=bands, digest=digest)


def jaccard(a: tuple[int, ...], b: tuple[int, ...], *, a_set: frozenset[int] | None = None) -> float:
    """Jaccard similarity of two wordings from their sketches (ascending tuples).

    Both sketches hold every shingle below the smaller of their cut-offs, so the shingles
    below it are a uniform sample of the union; exact when neither sketch is full. Pass
    `a_set` (frozenset(a)) when comparing one wording with many.
    """
    if not a or not b:
        return 0.0
    limit = min(
        a[-1] if len(a) >= SKETCH_SIZE else _MASK32,
        b[-1] if len(b) >= SKETCH_SIZE else _MASK32,
    )
    common = (a_set if a_set is not None else frozenset(a)).intersection(b)
    shared = sum(1 for value in common if value <= limit) if limit < _MASK32 else len(common)
    union = bisect_right(a, limit) + bisect_right(b, limit) - shared
    return shared / union if union else 0.0


def score(a: Signature, b: Signature, *, a_set: frozenset[int] | None = None) -> float:
    """How alike two wordings are, 0 to 1: the mean of their Jaccard similarity and of the
    share of the shorter one found in the longer one (so a truncated or extended copy
    still scores high, while two texts of one template differing throughout score lower)."""
    similar = jaccard(a.sketch, b.sketch, a_set=a_set)
    if not similar:
        return 0.0
    common = similar * (a.size + b.size) / (1 + similar)
    return (similar + min(1.0, common / min(a.size, b.size))) / 2
