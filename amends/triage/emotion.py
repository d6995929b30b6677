"""Negative emotion in a customer's words, in Russian, English and Armenian, from hand-written word
lists (docs/triage-flags.md): no model and no fitted weights.

A text is cut into sentences and words; each word is folded and stemmed as the search stems it
(amends.search.text: Snowball for Russian and English; Armenian is not stemmed, so its entries are
written as word beginnings). A list entry is a word or a phrase: a plain word matches the words with
the same stem, a word ending in "*" matches the words that begin with it, a word after "=" only
itself ("=суд": not "судя"), and the words of a phrase follow one another.

Negation: an entry preceded, within three words of its sentence, by "не", "нет", "без", "no", "not",
"never", "without", "ոչ", "առանց" or an Armenian verb negated with "չ" does not count, for the kinds
that say so ("not angry", "никто не пострадал", "no injury"). An entry that begins with a negation
itself ("не работает") is read as written.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from amends.search.text import STOP_WORDS, WORD, stems

# Longer texts are read up to here: a pasted log or a whole contract is no longer a customer's
# own words, and reading it would hold up the worker.
MAX_CHARS = 50_000
NEGATION_WINDOW = 3
NEGATORS = frozenset("""
не нет ни без никто ничего никогда нельзя
no not never without nobody nothing none neither nor t cannot
ոչ առանց
""".split())
# Sentences end at . ! ? … and line breaks; Armenian ends them with ։ and marks ՞ ՜ on the word.
SENTENCE_END = re.compile(r"(?<=[.!?…։])\s+|\n+")
SHOUTED = re.compile(r"\b(?!X+\b)[A-ZА-ЯЁԱ-Ֆ]{5,}\b")  # a word in capitals (not a redaction's XXXX)
EXCLAIMED = re.compile(r"[!՜]{2,}|\?!|!\?")
SAD_FACE = re.compile(r"(?<![\w(])[:;=]-?\(+|\({3,}|😡|🤬|😠|😤|👎")


def fold(word: str) -> str:
    return word.casefold().replace("ё", "е")


@dataclass(frozen=True)
class Token:
    word: str  # folded
    stem: str
    start: int
    end: int

    @property
    def negates(self) -> bool:
        # Armenian negates a verb with the prefix չ (չեմ, չի, չկա).
        return self.word in NEGATORS or (self.word.startswith("չ") and len(self.word) > 1)


def tokens(text: str) -> list[Token]:
    """The words of a text with their stems and places; stop words keep their own form, since
    negations are among them."""
    found = [(fold(m.group()), m.start(), m.end()) for m in WORD.finditer(text)]
    content = [word for word, _start, _end in found if word not in STOP_WORDS]
    stemmed = stems(" ".join(content))
    if len(stemmed) != len(content):  # a fold that split a word differently: read it unstemmed
        stemmed = content
    by_order = iter(stemmed)
    return [
        Token(word, word if word in STOP_WORDS else next(by_order), start, end) for word, start, end in found
    ]


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # where it begins in the whole text

    @cached_property
    def tokens(self) -> list[Token]:
        return tokens(self.text)


def sentences(text: str) -> list[Sentence]:
    """The text's sentences, each with where it starts; empty ones left out."""
    text = text[:MAX_CHARS]
    found, position = [], 0
    for piece in SENTENCE_END.split(text):
        start = text.find(piece, position)
        position = start + len(piece)
        if piece.strip():
            found.append(Sentence(piece, start))
    return found


@dataclass(frozen=True)
class Entry:
    """One word or phrase of a list: its words as (text, how it matches: STEM, PREFIX or EXACT)."""

    words: tuple[tuple[str, str], ...]
    source: str


@dataclass(frozen=True)
class Match:
    entry: Entry
    start: int
    end: int
    negated: bool


STEM, PREFIX, EXACT = "stem", "prefix", "exact"


class Lexicon:
    """Entries looked up by their first word: by stem, or by a word's beginning."""

    def __init__(self, entries: Iterable[str]) -> None:
        """`entries`: words and phrases, the words of a phrase joined by "_" ("не_работает")."""
        self.by_stem: dict[str, list[Entry]] = {}
        self.by_prefix: dict[str, list[Entry]] = {}
        self.by_word: dict[str, list[Entry]] = {}
        for source in entries:
            words = []
            for raw in source.split("_"):
                if raw.endswith("*"):
                    words.append((fold(raw[:-1]), PREFIX))
                elif raw.startswith("="):
                    words.append((fold(raw[1:]), EXACT))
                else:
                    stemmed = tokens(raw)
                    words.append((stemmed[0].stem if stemmed else fold(raw), STEM))
            entry = Entry(tuple(words), source)
            first, mode = entry.words[0]
            index = {STEM: self.by_stem, PREFIX: self.by_prefix, EXACT: self.by_word}[mode]
            index.setdefault(first, []).append(entry)
        self.prefix_lengths = sorted({len(p) for p in self.by_prefix})

    def _starting(self, token: Token) -> Iterator[Entry]:
        yield from self.by_stem.get(token.stem, ())
        yield from self.by_word.get(token.word, ())
        for length in self.prefix_lengths:
            if length > len(token.word):
                break
            yield from self.by_prefix.get(token.word[:length], ())

    def matches(self, sentence: Sentence) -> list[Match]:
        words = sentence.tokens
        found = []
        for index, token in enumerate(words):
            for entry in self._starting(token):
                end = _phrase_end(entry, words, index)
                if end is None:
                    continue
                negated = not words[index].negates and any(
                    t.negates for t in words[max(0, index - NEGATION_WINDOW):index]
                )
                found.append(Match(entry, sentence.start + token.start, sentence.start + words[end].end, negated))
        return found


def _word_fits(pattern: tuple[str, str], token: Token) -> bool:
    text, mode = pattern
    if mode == PREFIX:
        return token.word.startswith(text)
    return (token.word if mode == EXACT else token.stem) == text


def _phrase_end(entry: Entry, words: list[Token], index: int) -> int | None:
    """The index of the phrase's last word when it begins at `index`; None when it does not."""
    last = index + len(entry.words) - 1
    if last >= len(words):
        return None
    fits = all(_word_fits(pattern, words[index + n]) for n, pattern in enumerate(entry.words[1:], 1))
    return last if fits else None


# Anger: swearing, insults, outrage, accusations of fraud. One is enough to call a text angry.
ANGER = Lexicon("""
хуй* хуе* пизд* еба* ебу* ебл* заеб* бля* =сука сучар* мудак* мудач* говн* дерьм* жоп* рукожоп*
урод* идиот* дебил* кретин* твар* сволоч* ублюд* козл* козел скотин* придур* тупые тупых тупой тупорыл*
достал* задолбал* надоел* бесит бесят бесите ненавиж* ненавид* возмущ* возмутит* безобраз* беспредел*
издеват* издевают* позор* хамств* хамск* хамят хамит хамло обманщик* обманывают =мошенники =жулики разводилов*
разводка лохотрон* кидалов* ворую* ворюг* =воры грабят
наглост* наглые наглец* охренел* офигел* обнаглел* нахуй* нахуя нахрен* нахер* нафига беси* затрахал* гавн* блят*
терпение_лопнуло плевать_на не_уважа* филиал*_ада ад_на_земле
outrage* disgust* furious infuriat* livid pissed fuck* shit* bullshit crap damn damned screw_you
ridiculous unacceptable incompeten* =scam =scammed scammers thieves liars =lying =lied
disgrace* pathetic idiot* moron* stupid hate fed_up sick_and_tired rip_off ripped_off rude
զզվել* զզվելի* բարկաց* զայրաց* զայրույթ* վրդովվ* վրդովեցուցիչ* անհարգալից* խաբեբա* խաբում խաբել* խաբեցին
գողեր* գողություն* ամոթ* անընդունելի* ատում ծաղր* լկտի* ստախոս* հիմար* տականք*
""".split())

# Feelings a customer names: hurt, worry, despair. Emotional, not yet angry.
FEELING = Lexicon("""
разочарова* расстро* обидно обидел* обида огорч* в_шоке шокирова* в_ужасе ужас ужасн* кошмар* отвратит* мерзк* противно
стыдно бесполезн* отчаян* нервы нервнич* нервов сил_нет устал* измучен* измотал* жаль увы к_сожалению
беда фигня хрень хреново отстой* бред* печаль* грустн* плачу слезы доведен* невыносим* ужасающ*
disappoint* frustrat* upset* annoy* horrible terrible awful worst useless nightmare shock* devastat* stress*
anxious anxiety worried desperate helpless humiliat* embarrass* unfair unbelievable sad sadly unfortunately
joke pathetic
հիասթափ* վրդով* նյարդայն* սարսափելի* սթրես* տխուր* ցավալի* դժբախտաբար ցավոք անարդար* հուսահատ* վատագույն*
""".split())

# What went wrong, said without feeling: a negative experience, not an emotion (the "negative" reading
# of a text, which sentiment labels count, takes these in; the rational part keeps them).
PROBLEM = Lexicon("""
не_работает не_работают не_работал* не_работало не_могу не_можем не_удается не_удалось невозможно не_возможно
не_отвечает не_отвечают не_дозвон* не_пришл* не_пришел не_приходят не_приходит не_вернули
не_грузит* не_загружа* не_проход* не_принимают не_принимает не_открывается не_видно не_выдает не_выдал*
нет_связи нет_денег нет_интернета не_ловит не_доступ* недоступ* пропал* пропада* отключили отключают
заблокировали блокируют сняли снимают списал* списыва* навяза* навязыва* сбой* сбои глюк* глюч* завис зависа* арестовал*
тормоз* лежит ошибк* проблема хуже плох* хуев* паршив* дорого дороже штраф* очередь
не_дожд* без_интернет* без_связи нет_желания слабо_работа* не_укладывается не_чита* медленн* обломал* не_дозвон*
снял* не_принима* не_сможет не_смогу
неудоб* недовол* жалоб* претензи* верните вернуть отказали отказывают не_рекомендую никогда_не опять снова постоянно
вечно
до_сих_пор так_и_не третий_день второй_день ждать жду ждем кража краж* крадут украл*
fail* not_working doesn't_work didn't_work never_received never_got cannot unable still_waiting no_response
charged fee fees overcharg* denied refused error problem issue broken wrong late delay* again lost missing
stopped canceled cancelled complain* complaint poor bad slow
չի_աշխատում չեն_աշխատում չաշխատ* չկա չեմ_կարող չստաց* խնդիր* սխալ* ուշաց* բողոք* վատ* թանկ* սպասում
""".split())

# Thanks and praise: a text that says more of these than of the others is not negative.
POSITIVE = Lexicon("""
спасибо благодар* люблю нравится понравил* отличн* молодц* супер круто класс классн* удобн* быстро рад рада
довол* лучший лучшая хорош* помогли решили
thank* thanks love great excellent awesome amazing helpful perfect happy glad resolved
շնորհակալ* շնորհակալություն գոհ* հիանալի* լավագույն*
""".split())


@dataclass(frozen=True)
class Reading:
    """What the lists found in a text, each found entry as the words that raised it."""

    anger: list[str]
    feeling: list[str]
    problem: list[str]
    positive: list[str]
    shouting: bool  # capitals, "!!!"
    sad: bool  # a sad or angry face

    @property
    def negative(self) -> bool:
        """A negative text: anger, a named feeling or a problem outweighs thanks and praise."""
        # Thanks beside a problem are often bitter ("Весь день без интернета. Спасибо МТС"): a tie is negative.
        weight = 2 * len(self.anger) + len(self.feeling) + len(self.problem) + self.sad
        return weight > 0 and weight >= len(self.positive)

    @property
    def emotional(self) -> bool:
        return bool(self.anger or self.feeling or self.shouting or self.sad)


def found_words(lexicon: Lexicon, parts: list[Sentence], *, negated_count: bool = False) -> list[str]:
    """The words the entries found, as written, once a place: a phrase and a word inside it found
    there count once, as the phrase."""
    kept: list[tuple[int, int, str]] = []
    for part in parts:
        matches = sorted(lexicon.matches(part), key=lambda m: (m.start, -m.end))
        for m in matches:
            if (negated_count or not m.negated) and not any(a <= m.start < b for a, b, _w in kept):
                kept.append((m.start, m.end, part.text[m.start - part.start:m.end - part.start]))
    return [words for _a, _b, words in kept]


def read(text: str, parts: list[Sentence] | None = None) -> Reading:
    """What a text says of its writer's feelings; `parts` its sentences, when the caller has them."""
    text = text[:MAX_CHARS]
    if parts is None:
        parts = sentences(text)
    return Reading(
        anger=found_words(ANGER, parts),
        feeling=found_words(FEELING, parts),
        problem=found_words(PROBLEM, parts),
        positive=found_words(POSITIVE, parts),
        shouting=bool(SHOUTED.search(text) or EXCLAIMED.search(text)),
        sad=bool(SAD_FACE.search(text)),
    )


def negative(text: str) -> bool:
    """A negative text (the figure measured in bench/triage_flags.py)."""
    return read(text).negative
