"""The rational and the emotional part of a complaint (seed 002 §32): what went wrong and what the
customer asks for, apart from how they feel about it and what they threaten, sentence by sentence.

A sentence is emotional when it says as much or more of feelings (anger, named feelings, shouting,
an angry face) and threats (of harm, court, a regulator, the press) than of facts (what went wrong,
figures, dates) and demands; otherwise, and when it says neither, it is rational."""

import re
from dataclasses import dataclass, field

from .emotion import ANGER, EXCLAIMED, FEELING, PROBLEM, SAD_FACE, SHOUTED, Lexicon, Sentence, sentences
from .flags import LEGAL, PUBLICITY, REGULATOR, THREAT

# What the customer asks for.
DEMAND = Lexicon("""
прошу просим требую требуем верните вернуть возврат* замен* заменить компенс* исправ* перерасчет* пересчит*
отмените отменить расторг* починит* отремонт* устранит* разобраться объясните ответьте
please refund* replace* request* demand* want expect fix cancel reimburs* compensat* correct remove explain
խնդրում պահանջում վերադարձնել վերադարձրեք փոխարինել փոխհատուց* ուղղել չեղարկել
""".split())
FEELINGS = (ANGER, FEELING)
THREATS = (THREAT, LEGAL, REGULATOR, PUBLICITY)
FACTS = (PROBLEM, DEMAND)
FIGURE = re.compile(r"\d")


@dataclass
class Parts:
    rational: list[str] = field(default_factory=list)
    emotional: list[str] = field(default_factory=list)


def _said(lexicons: tuple[Lexicon, ...], sentence: Sentence) -> int:
    """How many places of the sentence the lists found something in (a word two lists hold counts once)."""
    return len({m.start for lexicon in lexicons for m in lexicon.matches(sentence) if not m.negated})


def is_emotional(sentence: Sentence) -> bool:
    text = sentence.text
    feelings = _said(FEELINGS, sentence) + _said(THREATS, sentence) + bool(
        SHOUTED.search(text) or EXCLAIMED.search(text) or SAD_FACE.search(text))
    facts = _said(FACTS, sentence) + bool(FIGURE.search(text))
    return feelings > 0 and feelings >= facts


def split(text: str, parts: list[Sentence] | None = None) -> Parts:
    """The text's sentences in two lists, each in the customer's own words and order."""
    found = Parts()
    for sentence in parts if parts is not None else sentences(text):
        (found.emotional if is_emotional(sentence) else found.rational).append(sentence.text.strip())
    return found
