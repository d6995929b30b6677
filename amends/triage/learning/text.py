"""What the models read: a card's text normalised the same way at training and at prediction time.

Case and ё are folded, digits become 0 (an amount or a date says little about the subject), and the
masks the CFPB export puts over personal data (XXXX, XX/XX/XXXX, {$860.00}) become one token each, so
that the model learns "a date was here" instead of learning the mask's letters. HTML tags and
entities (mail, web forms) are taken off."""

import html
import re

_TAG = re.compile(r"<[^>]{0,200}>")
_MONEY = re.compile(r"\{\$[\d,.]*\}")
_MASKED_DATE = re.compile(r"\bX{2}/X{2}/(?:X{2}){1,2}\b|\bX{2}/(?:X{2}){1,2}\b")
_MASK = re.compile(r"\bX{2,}\b")
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")

# The scripts a text is written in, as the model knows them: a model trained on Russian and English
# cards has not seen Armenian letters and says so rather than guessing.
_SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "cyrillic": re.compile(r"[\u0400-\u052f]"),
    "armenian": re.compile(r"[\u0531-\u058f\ufb13-\ufb17]"),
}
_LETTER = re.compile(r"[^\W\d_]")


def text_normalise(text: str) -> str:
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = _MONEY.sub(" moneymask ", text)
    text = _MASKED_DATE.sub(" datemask ", text)
    text = _MASK.sub(" xmask ", text)
    text = text.lower().replace("ё", "е")
    text = _DIGITS.sub("0", text)
    return _SPACES.sub(" ", text).strip()


def text_scripts(text: str, *, share: float = 0.2) -> set[str]:
    """The scripts that write at least `share` of the text's letters ("other" for the rest)."""
    text = text[:2000]
    letters = len(_LETTER.findall(text))
    if not letters:
        return set()
    counts = {script: len(pattern.findall(text)) for script, pattern in _SCRIPTS.items()}
    counts["other"] = letters - sum(counts.values())
    return {script for script, count in counts.items() if count and count >= share * letters}
