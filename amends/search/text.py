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


# Words too common to find anything by (Snowball's lists, as PostgreSQL's russian and english
# configurations drop them too): left out of documents and queries alike.
STOP_WORDS = frozenset("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
всю между
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing would should could
ought a an the and but if or because as until while of at by for with about against between into
through during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not only
own same so than too very
""".split())

# Each word's stem, as words repeat: a rebuild then stems each distinct word once.
_STEMS: dict[str, str] = {}
CACHE_SIZE = 1_000_000


@cache
def _stemmer(language: str):
    # snowballstemmer hands the work to PyStemmer (C) when it is installed, as it is here.
    return snowballstemmer.stemmer(language)


def words(text: str) -> list[str]:
    """The text's words, lower-cased, ё read as е."""
    return WORD.findall(text.casefold().replace("ё", "е"))


def stems(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """The text's words, each stemmed in its own language (by its first letter); the stop words left
    out but those in `keep`."""
    found = words(text)
    if len(_STEMS) > CACHE_SIZE:
        _STEMS.clear()
    if missing := {word for word in found if word not in _STEMS}:
        _STEMS.update(zip(missing, missing, strict=True))
        for language, letters in (("russian", CYRILLIC), ("english", LATIN)):
            own = [word for word in missing if letters.match(word)]
            _STEMS.update(zip(own, _stemmer(language).stemWords(own), strict=True))
    return [_STEMS[word] for word in found if word not in STOP_WORDS or word in keep]
