"""Bytes to text for Russian mail: the declared charset when it is right, a good guess when it is not.

Russian mail arrives in UTF-8, KOI8-R and Windows-1251, and quite often with the wrong label
(Windows-1251 sent as KOI8-R or ISO-8859-1) or none at all. Every single-byte Cyrillic charset
decodes any byte string without an error, so a label is checked by reading the result: Russian
text is made of a few hundred common letter pairs, mostly in lower case; a text decoded with
the wrong table is made of rare pairs in the wrong case.
"""

import codecs
import re

# The 300 most frequent letter pairs of Russian complaint texts (../shared/data, Kursk appeals),
# best first; split into three tiers that weigh 3, 2 and 1. Any other pair weighs -1.
_PAIRS = (
    "стронанотопорапрниеннеоровкоодетреотдоостаомгоанливоватьиткатеделеоберологалатасдариныль"
    "есловетизасконмотрлаемелоймеаксяавмажетссотвннарчеиниехоилкиияпеожадазокбодивиаяедрусеейис"
    "ускуезамрыбримвыулыймупадншебыоеевмилячтсликщеутвсэтивчажиопииздспсаочаеегтусьпльнцинтвлизе"
    "ккргаирыежнозошаюсисуужблятчилубедрснтнктурихдуицабрясвютыхньнугрехжаудучгивуняахшууюбуичтк"
    "пизоажмншиждлюапцеийьсешрнмыщаубацоявкрсидрташвнылдвфобинскеайачиюечещврдлчнщиееагзноитыйтба"
    "янвтугямклдыымзиоосстяукупйсеждкепющгузвзмгдощуйуаькебытркывнккващуейндспуявъешаюдглбщядсрьш"
    "рмшкиолксылыцаьтдясдхампибигсмушижумрглнррязмяыпышяюкжзу"
)
_PAIR_WEIGHT = {_PAIRS[i:i + 2]: 3 - i // 200 for i in range(0, len(_PAIRS), 2)}
_CYRILLIC_WORD = re.compile(r"[а-яёА-ЯЁ]{2,}")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")

CYRILLIC = ("cp1251", "koi8_r")
_CYRILLIC_FAMILY = {"cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "mac_cyrillic"}
# Charsets whose bytes are not one character each: only the label can say what they are.
_MULTIBYTE = re.compile(r"utf_(16|32)|gb|big5|euc|shift_jis|cp932|cp949|cp950|iso2022|hz")


def codec_name(charset: str | None) -> str | None:
    """Python's name for a declared charset; None for a missing, unknown or meaningless label."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    if label in ("", "unknown-8bit", "x-unknown", "unknown", "8bit", "default", "x-user-defined", "us-ascii", "ascii"):
        return None
    try:
        return codecs.lookup(label).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def russian_score(text: str) -> float:
    """How much a text reads like Russian: about 2 for real text, below 1 for a wrong code page."""
    total = score = 0
    for word in _CYRILLIC_WORD.findall(text):
        lower = word.lower()
        for first, second in zip(lower, lower[1:], strict=False):
            score += _PAIR_WEIGHT.get(first + second, -1)
        total += len(word) - 1
        tail = word[1:]
        if tail != tail.lower() and (tail != tail.upper() or word[0].islower()):
            score -= 3 * (len(word) - 1)  # "оПХБЕР": a case pattern no writer produces
    return score / total if total else 0.0


def _mojibake(text: str) -> bool:
    """Cyrillic read as a Latin code page: whole words of accented letters ("Ñïàñèáî")."""
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(text))
    return non_ascii > 0 and in_runs / non_ascii > 0.5


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: the declared charset, else UTF-8, else the Cyrillic code page that reads best."""
    if not data:
        return ""
    label = codec_name(declared)
    if label and _MULTIBYTE.match(label):
        try:
            return data.decode(label)
        except UnicodeDecodeError:
            pass
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if label == "utf_8" or (label is None and _mostly_utf8(data)):
        return data.decode("utf-8", errors="replace")
    candidates: dict[str, str] = {}
    for name in dict.fromkeys(filter(None, [label, *CYRILLIC])):
        try:
            candidates[name] = data.decode(name)
        except UnicodeDecodeError:
            continue
    if label in candidates and label not in _CYRILLIC_FAMILY and not _mojibake(candidates[label]):
        return candidates[label]  # e.g. German in ISO-8859-1: trust the label
    if not candidates:
        return data.decode(label or "utf-8", errors="replace")
    scores = {name: russian_score(text) + (0.3 if name == label else 0.0) for name, text in candidates.items()}
    return candidates[max(scores, key=scores.__getitem__)]


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a stray bad byte (a cut multi-byte character) is still UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return bad <= max(1, len(text) // 200) and bad < sum(1 for ch in text if ord(ch) > 127)
