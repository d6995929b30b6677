"""The tone check of every text that goes to a customer (DOMAIN.md §6, STOPWORDS.md).

Stop-phrases are matched on word forms, not strings: each word becomes a set of keys (Russian
lemmas from pymorphy3, English and Armenian Snowball stems with a lemma list for irregular forms),
and a phrase matches when its words' keys follow one another in one sentence, "..." letting up to
three other words stand between. The Listen–Apologise–Solve–Thank checklist looks for thanks, an
apology, a date, direct contacts, and the absence of "call us back" and of a bare "no".
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pymorphy3
import snowballstemmer
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amends.intake.outbound import register_outgoing_text_check

from .checks import Problem, register_send_check
from .models import Letter, StopPhrase

LANGUAGES = ("ru", "en", "hy")
WIDE_GAP = 3  # words that may stand where a phrase has "..."
_ARMENIAN_MARKS = "\u055b\u055c\u055d\u055e"  # emphasis, exclamation, comma and question marks set inside a word
_WORD = re.compile(rf"[\w{_ARMENIAN_MARKS}]+(?:['’\-][\w{_ARMENIAN_MARKS}]+)*")
_SENTENCE_END = re.compile(r"[.!?;…։\n]")

Keys = frozenset[str]


@dataclass(frozen=True)
class Token:
    keys: Keys
    start: int
    end: int
    sentence: int


# Words --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    """Loaded when first needed, not by every process that starts Django (its dictionaries take a while)."""
    return pymorphy3.MorphAnalyzer()


# Aspect pairs and near synonyms a stop-phrase means alike: "не смогли" is "не могу".
_RU_ALIASES = {
    "смочь": "мочь", "суметь": "мочь", "сказать": "говорить", "понимать": "понять", "пообещать": "обещать",
    "пожаловаться": "жаловаться", "помогать": "помочь", "перезванивать": "перезвонить",
    "заполнять": "заполнить", "узнавать": "узнать", "поговорить": "говорить",
}
_EN_IRREGULAR = {
    "is": "be", "am": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be",
    "told": "tell", "said": "say", "felt": "feel", "had": "have", "has": "have", "could": "can",
    "did": "do", "does": "do", "done": "do", "knew": "know", "known": "know", "heard": "hear",
    "ca": "can", "wo": "will", "sha": "shall", "policies": "policy",
}
_EN_CONTRACTIONS = {"'s": "is", "'re": "are", "'ll": "will", "'m": "am", "'ve": "have", "'d": "would"}
# Armenian: the Snowball stemmer leaves many verb forms apart, so the verbs stop-phrases use are listed.
_HY_LEMMAS = {
    **dict.fromkeys(("հանգստացեք", "հանգստացիր", "հանգստանալ", "հանգստացեք", "հանգստացի"), "հանգստանալ"),
    **dict.fromkeys(("զանգահարեք", "զանգահարիր", "զանգահարել", "զանգեք", "զանգիր", "զանգել", "զանգահարի"), "զանգել"),
    **dict.fromkeys(("դիմեք", "դիմիր", "դիմել", "դիմեցեք"), "դիմել"),
    **dict.fromkeys(
        ("բողոքեք", "բողոքիր", "բողոքել", "բողոքում", "բողոքեց", "բողոքի", "բողոքողը", "բողոքող"), "բողոքել",
    ),
    **dict.fromkeys(("գիտեմ", "գիտենք", "գիտի", "գիտես", "գիտեք", "գիտեն", "գիտեի", "իմանալ"), "գիտենալ"),
    **dict.fromkeys(("կարող", "կարողանում", "կարողացանք", "կարողացա", "կարողանալ", "կարողանանք", "կարողանամ",
                     "կկարողանանք", "կկարողանամ", "կարողացավ"), "կարող"),
    **dict.fromkeys(("անել", "անենք", "անեմ", "արել", "արեցինք", "անի"), "անել"),
    **dict.fromkeys(("օգնել", "օգնենք", "օգնեմ", "օգնի"), "օգնել"),
    **dict.fromkeys(("հասկացել", "հասկացաք", "հասկացար", "հասկանում", "հասկանալ", "հասկացել"), "հասկանալ"),
    **dict.fromkeys(("ասել", "ասացի", "ասացինք", "ասում", "ասել"), "ասել"),
    **dict.fromkeys(("խոստացել", "խոստացանք", "խոստացավ", "խոստանալ", "խոստացել"), "խոստանալ"),
    **dict.fromkeys(("ընկալել", "ընկալեցիք", "ընկալում", "ընկալեցիր"), "ընկալել"),
    **dict.fromkeys(("աշխատում", "աշխատել", "աշխատի"), "աշխատել"),
    **dict.fromkeys(("ուզում", "ուզել", "կուզեք", "ցանկանում"), "ուզել"),
    **dict.fromkeys(("ոչինչ", "ոչնչով", "ոչնչի"), "ոչինչ"),
    **dict.fromkeys(("մեղքը", "մեղքն", "մեղք"), "մեղք"),
    **dict.fromkeys(("մեղավոր", "մեղավորը", "մեղավորն"), "մեղավոր"),
    **dict.fromkeys(("խնդիր", "խնդիրը", "խնդիրն", "խնդրի", "խնդրից", "խնդրով", "խնդիրները", "խնդիրներ"), "խնդիր"),
    **dict.fromkeys(("եմ", "ես", "է", "ենք", "եք", "են", "էի", "էր", "էինք", "էին", "ի"), "լինել"),
    **dict.fromkeys(("կախվել", "կախված", "կախվեց"), "կախվել"),
}
_HY_NEGATION = "չ"
# Words that begin with "չ" without being a negated verb (size, dry, evil, neutral, Chinese).
_HY_NOT_NEGATED = ("չափ", "չոր", "չար", "չեզոք", "չին", "չորս", "չորեք")
_stemmers = {"en": snowballstemmer.stemmer("english"), "hy": snowballstemmer.stemmer("armenian")}


def _exact(word: str) -> str:
    return "=" + word


def _ru_keys(word: str) -> list[Keys]:
    lemmas = {lemma.replace("ё", "е") for lemma in _morph().normal_forms(word)}
    return [frozenset({_RU_ALIASES.get(lemma, lemma) for lemma in lemmas} | {_exact(word)})]


def _en_word_keys(word: str) -> Keys:
    lemma = _EN_IRREGULAR.get(word, word)
    return frozenset({_stemmers["en"].stemWord(lemma), _exact(word)})


def _en_keys(word: str) -> list[Keys]:
    """ "don't" is "do not", "it's" is "it is": each part its own token over the same span."""
    if word.endswith("n't"):
        return [_en_word_keys(word[:-3]), frozenset({"not"})]
    for ending, full in _EN_CONTRACTIONS.items():
        if word.endswith(ending) and len(word) > len(ending):
            return [_en_word_keys(word[: -len(ending)]), _en_word_keys(full)]
    return [_en_word_keys(word)]


def _hy_word_keys(word: str) -> Keys:
    if word in _HY_LEMMAS:
        return frozenset({_HY_LEMMAS[word], _exact(word)})
    stem = _stemmers["hy"].stemWord
    keys = {stem(word), _exact(word)}
    if len(word) > 4 and word[-1] in "ըն":  # the definite article
        keys.add(stem(word[:-1]))
    return frozenset(keys)


def _hy_keys(word: str) -> list[Keys]:
    """A negated verb ("չգիտեմ") is the negation and the verb, as two tokens; a negated auxiliary
    ("չենք") the negation alone."""
    if word.startswith(_HY_NEGATION) and len(word) > 1 and not word.startswith(_HY_NOT_NEGATED):
        verb = word[1:]
        if _HY_LEMMAS.get(verb) == "լինել":  # "չեմ կարող" and "չկարողացանք" read alike
            return [frozenset({_HY_NEGATION})]
        return [frozenset({_HY_NEGATION}), _hy_word_keys(verb)]
    return [_hy_word_keys(word)]


_KEYS = {"ru": _ru_keys, "en": _en_keys, "hy": _hy_keys}


@lru_cache(maxsize=50_000)
def word_keys(word: str, language: str) -> tuple[Keys, ...]:
    """A word as the keys of the one or more tokens it stands for, in `language`."""
    word = word.lower().replace("’", "'")
    for mark in _ARMENIAN_MARKS:
        word = word.replace(mark, "")
    if language == "ru":
        word = word.replace("ё", "е")
    return tuple(_KEYS[language](word))


def tokens(text: str, language: str) -> list[Token]:
    found: list[Token] = []
    sentence, last_end = 0, 0
    for match in _WORD.finditer(text):
        sentence += len(_SENTENCE_END.findall(text, last_end, match.start()))
        last_end = match.end()
        for keys in word_keys(match.group(), language):
            found.append(Token(keys, match.start(), match.end(), sentence))
    return found


# Phrases ------------------------------------------------------------------------------------------

# One place of a variant: the words it may be (each one or more tokens) and how many others may precede it.
@dataclass(frozen=True)
class Place:
    options: tuple[tuple[Keys, ...], ...]
    gap: int


@dataclass(frozen=True)
class Phrase:
    phrase: str
    replacement: str
    label: str  # what a corpus or the admin knows it by
    variants: tuple[tuple[Place, ...], ...]


def _word_pattern(word: str, language: str) -> tuple[Keys, ...]:
    if word.startswith("="):
        return tuple(frozenset({_exact(keys)}) for keys in word[1:].lower().split("'") if keys)
    return word_keys(word, language)


def phrase_compile(phrase: str, language: str, replacement: str = "", label: str = "") -> Phrase:
    variants = []
    for variant in phrase.split(";"):
        places, gap = [], 0
        for item in re.findall(r"\.\.\.|…|[^\s,.!?«»“”\"]+", variant):
            if item in ("...", "…"):
                gap = WIDE_GAP
                continue
            options = tuple(_word_pattern(word, language) for word in item.split("/") if word)
            places.append(Place(options, gap))
            gap = 0
        if places:
            variants.append(tuple(places))
    return Phrase(phrase, replacement, label, tuple(variants))


def _match_at(found: Sequence[Token], at: int, places: Sequence[Place], sentence: int) -> int | None:
    """The index after the last token of `places` matched from `at` (the first place exactly there)."""
    if not places:
        return at
    place, rest = places[0], places[1:]
    for start in range(at, min(at + place.gap + 1, len(found))):
        if found[start].sentence != sentence:
            break
        for option in place.options:
            end = start + len(option)
            if end <= len(found) and all(
                found[i].sentence == sentence and found[i].keys & keys
                for i, keys in zip(range(start, end), option, strict=True)
            ):
                after = _match_at(found, end, rest, sentence)
                if after is not None:
                    return after
    return None


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    matched: str
    words: tuple[str, ...]
    phrase: str
    replacement: str
    label: str = ""


class Matcher:
    """Phrases compiled once, indexed by the keys their variants may start with."""

    def __init__(self, phrases: Iterable[Phrase]):
        self.phrases = list(phrases)
        self._by_first_key: dict[str, list[tuple[Phrase, tuple[Place, ...]]]] = {}
        for phrase in self.phrases:
            for variant in phrase.variants:
                pair = (phrase, variant)  # one object per variant: candidates are told apart by id
                for key in {key for option in variant[0].options for key in option[0]}:
                    self._by_first_key.setdefault(key, []).append(pair)

    def find(self, text: str, language: str, found: Sequence[Token] | None = None) -> list[Finding]:
        found = tokens(text, language) if found is None else found
        findings: list[Finding] = []
        taken: dict[int, int] = {}  # id(phrase) -> the end of its last finding: one finding per place
        for at, token in enumerate(found):
            candidates = [pair for key in token.keys for pair in self._by_first_key.get(key, ())]
            unique = {id(pair): pair for pair in candidates}.values() if len(candidates) > 1 else candidates
            for phrase, variant in unique:
                if token.start < taken.get(id(phrase), -1):
                    continue
                after = _match_at(found, at, variant, token.sentence)
                if after is None:
                    continue
                start, end = token.start, found[after - 1].end
                taken[id(phrase)] = end
                words = tuple(dict.fromkeys(text[t.start:t.end] for t in found[at:after]))
                findings.append(Finding(
                    start, end, text[start:end], words, phrase.phrase, phrase.replacement, phrase.label,
                ))
        findings.sort(key=lambda finding: (finding.start, finding.end))
        return findings


def matcher_compile(rows: Iterable[tuple[str, str, str]], language: str) -> Matcher:
    """`rows`: (phrase, replacement, label)."""
    return Matcher(phrase_compile(phrase, language, replacement, label) for phrase, replacement, label in rows)


_cache: dict[str, tuple[tuple, Matcher]] = {}


def stop_phrases(language: str) -> Matcher:
    """The active stop-phrases of `language`, compiled again only when a row changed (in any process,
    however it was changed): reading the rows is cheap, compiling them is not."""
    active = StopPhrase.objects.filter(language=language, active=True).order_by("pk")
    rows = tuple(active.values_list("phrase", "replacement", "pk"))
    cached = _cache.get(language)
    if cached is None or cached[0] != rows:
        cached = (rows, matcher_compile(((p, r, str(pk)) for p, r, pk in rows), language))
        _cache[language] = cached
    return cached[1]


# Listen–Apologise–Solve–Thank ---------------------------------------------------------------------

_THANKS = {
    "ru": "спасибо; благодарим; благодарю; благодарны; признательны; благодарность",
    "en": "thank; thanks; grateful; appreciate",
    "hy": "շնորհակալություն; շնորհակալ; երախտապարտ; շնորհակալ ենք",
}
_APOLOGY = {
    "ru": "извините; извинения; извиняемся; простите; сожалеем",
    "en": "sorry; apologise; apologize; apologies; apology",
    "hy": "ներողություն; ներեցեք; ներողություն ենք խնդրում; ցավում ենք; ափսոսում ենք",
}
# The customer asked to call: imperative forms only, since "we will call you back" is what they should read.
_CALL_BACK = {
    "ru": "=перезвоните; =позвоните ... позже; =позвоните ... еще раз; =свяжитесь ... еще раз; =обратитесь ... позже",
    "en": "call us back; call us ... later; call us ... again; call back later; contact us again; try again later",
    "hy": "հետ =զանգահարեք; =զանգահարեք ... ավելի ուշ; =զանգահարեք ... կրկին; =կապվեք ... կրկին",
}
_DONT_KNOW = {"ru": "не знаю; не знаем", "en": "don't know", "hy": "չգիտեմ; չգիտենք"}
_BARE_NO = {
    "ru": re.compile(r"(?:^|[.!?…]\s*)нет\s*[.!,…]", re.IGNORECASE),
    "en": re.compile(r"(?:^|[.!?…]\s*)no\s*[.!,…]", re.IGNORECASE),
    "hy": re.compile(r"(?:^|[.!?…։]\s*)(?:ոչ|չէ)\s*[։.!,՝…]", re.IGNORECASE),
}
_MONTHS = (
    "январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр"
    "|january|february|march|april|may|june|july|august|september|october|november|december"
    "|հունվար|փետրվար|մարտ|ապրիլ|մայիս|հունիս|հուլիս|օգոստոս|սեպտեմբեր|հոկտեմբեր|նոյեմբեր|դեկտեմբեր"
)
_WEEKDAYS = (
    "понедельник|вторник|сред[уа]|четверг|пятниц|суббот|воскресень|сегодня|завтра"
    "|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow"
    "|երկուշաբթի|երեքշաբթի|չորեքշաբթի|հինգշաբթի|ուրբաթ|շաբաթ օրը|կիրակի|այսօր|վաղը"
)
_MONTHS_SHORT = "jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"  # "6 Dec 2026", the English letters' dates
# A run of digits with dashes inside a longer one is a phone number, not a date ("+7 495 000-00-01").
_DATE = re.compile(
    rf"(?<![\d./-])\d{{1,2}}[./-]\d{{1,2}}(?:[./-]\d{{2,4}})?(?![./-]?\d)|\b\d{{1,2}}[:։]\d{{2}}\b"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}\s+(?:{_MONTHS_SHORT})\.?\s+\d{{4}}\b"
    rf"|\d{{1,2}}(?:-?[ա-և]+)?\s+(?:{_MONTHS})|(?:{_MONTHS})\w*\s+\d{{1,2}}|(?:{_WEEKDAYS})",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s()\-]{7,}\d")


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    ok: bool


CHECKLIST_LABELS = {
    "thanks": _("Thanks the customer"),
    "apology": _("Apologises"),
    "solution_date": _("A concrete solution or next step with a date"),
    "contacts": _("A named person with direct contacts (phone or e-mail)"),
    "no_call_back": _("Does not ask the customer to call back"),
    "no_bare_no": _("No bare “no” or “I don't know”"),
}


@cache
def _checklist_matcher(language: str) -> Matcher:
    """The checklist's phrases, each labelled with what it shows, in one matcher: one pass over the text."""
    return matcher_compile(
        [(phrases[language], "", code) for code, phrases in (
            ("thanks", _THANKS), ("apology", _APOLOGY), ("call_back", _CALL_BACK), ("dont_know", _DONT_KNOW),
        )], language,
    )


def checklist(text: str, language: str, found: Sequence[Token]) -> list[ChecklistItem]:
    present = {finding.label for finding in _checklist_matcher(language).find(text, language, found)}
    results = {
        "thanks": "thanks" in present,
        "apology": "apology" in present,
        "solution_date": bool(_DATE.search(text)),
        "contacts": bool(_CONTACT.search(text)),
        "no_call_back": "call_back" not in present,
        "no_bare_no": "dont_know" not in present and not _BARE_NO[language].search(text),
    }
    return [ChecklistItem(code, str(CHECKLIST_LABELS[code]), ok) for code, ok in results.items()]


# The report ---------------------------------------------------------------------------------------

@dataclass
class ToneReport:
    text: str
    language: str
    findings: list[Finding] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings and all(item.ok for item in self.checklist)

    def problems(self) -> list[Problem]:
        """Each finding and each unmet checklist point, all of which a sender may override with a reason."""
        problems = [
            Problem("tone", str(_("“%(matched)s”: say instead %(replacement)s")) % {
                "matched": finding.matched, "replacement": finding.replacement,
            }, overridable=True)
            for finding in self.findings
        ]
        problems += [
            Problem(
                f"tone:{item.code}", str(_("Tone checklist, not met: %(item)s")) % {"item": item.label},
                overridable=True,
            )
            for item in self.checklist if not item.ok
        ]
        return problems

    def segments(self) -> list[tuple[str, Finding | None]]:
        """The text cut into plain runs and findings, for showing each finding in place."""
        parts: list[tuple[str, Finding | None]] = []
        at = 0
        for finding in self.findings:
            if finding.start < at:  # overlaps the previous finding, which is shown already
                continue
            parts.append((self.text[at:finding.start], None))
            parts.append((finding.matched, finding))
            at = finding.end
        parts.append((self.text[at:], None))
        return [part for part in parts if part[0]]


_SCRIPTS = {
    "hy": re.compile(r"[\u0531-\u0587]"),
    "ru": re.compile(r"[а-яё]", re.IGNORECASE),
    "en": re.compile(r"[a-z]", re.IGNORECASE),
}


def tone_language(language: str, text: str = "") -> str:
    """`language` as the check knows it; if none, the one whose letters the text is mostly written
    in (a message on the card has no language of its own); else the company language."""
    language = (language or "").lower()[:2]
    if language in LANGUAGES:
        return language
    counts = {code: len(script.findall(text)) for code, script in _SCRIPTS.items()}
    best = max(counts, key=lambda code: counts[code])
    return best if counts[best] else settings.LANGUAGE_CODE[:2]


def tone_check(text: str, language: str) -> ToneReport:
    """`language` "" checks the text in the language it is written in."""
    language = tone_language(language, text)
    found = tokens(text, language)
    return ToneReport(
        text=text, language=language,
        findings=stop_phrases(language).find(text, language, found),
        checklist=checklist(text, language, found) if text.strip() else [],
    )


def letter_tone_problems(letter: Letter) -> list[Problem]:
    """The send check "tone": the letter's subject and body, in the letter's language. A letter
    signed by someone with a phone or e-mail on record has its named person with direct contacts."""
    problems = tone_check(f"{letter.subject}\n{letter.body}", letter.language).problems()
    signer = letter.signed_by
    if signer is not None and signer.get_full_name() and (signer.phone or signer.email):
        problems = [problem for problem in problems if problem.code != "tone:contacts"]
    return problems


# What a short message must not do; the rest of the checklist is asked of letters only.
_PROHIBITIONS = frozenset({"tone", "tone:no_call_back", "tone:no_bare_no"})


def outgoing_text_findings(text: str, language: str) -> list[str]:
    """What intake asks of every message a person writes to a customer (intake.outbound): the
    stop-phrases and the checklist's prohibitions."""
    return [problem.message for problem in tone_check(text, language).problems() if problem.code in _PROHIBITIONS]


def register() -> None:
    register_send_check("tone", letter_tone_problems)
    register_outgoing_text_check("tone", outgoing_text_findings)
