"""Words to index and to look for: folded, and stemmed by Snowball for Russian and English.

Both sides of a search go through `stems`, so a word matches its other forms ("жалобы" and
"жалоба", "delivered" and "delivery"). Armenian and other scripts are folded (case, ё) but not
stemmed; digits stay as they are.
"""

import re
from functools import cache

import snowballstemmer

# Letters and digits: "_" and punctuation separate words, as FTS5's unicode61 tokenizer does.
WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[а-я]")
LATIN = re.compile(r"[a-z]")


@cache
def _stemmer(language: str):
    # snowballstemmer hands the work to PyStemmer (C) when it is installed, as it is here.
    return snowballstemmer.stemmer(language)


def words(text: str) -> list[str]:
    """The text's words, lower-cased, ё read as е."""
    return WORD.findall(text.casefold().replace("ё", "е"))


def stems(text: str) -> list[str]:
    """The text's words, each stemmed in its own language (by its first letter)."""
    found = words(text)
    russian = [i for i, word in enumerate(found) if CYRILLIC.match(word)]
    english = [i for i, word in enumerate(found) if LATIN.match(word)]
    for language, places in (("russian", russian), ("english", english)):
        if places:
            stemmed = _stemmer(language).stemWords([found[i] for i in places])
            for i, stem in zip(places, stemmed, strict=True):
                found[i] = stem
    return found
