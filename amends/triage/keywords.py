"""The suggestion before any model exists: administrators' keyword rules, matched on stems.

A rule's lines and the card's text go through the search's stemming (Russian and English stemmed,
Armenian folded), so "доставили" finds a rule that says "доставка", and "delivered" one that says
"delivery". A phrase matches when its stems follow each other in the text. The search's stop words
are left out on both sides, except the negations: "не работает" says the opposite of "работает".
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from amends.search.text import stems

from .models import KeywordRule

TOP = 3
NEGATIONS = frozenset({"не", "ни", "нет", "no", "not", "nor"})


@dataclass(frozen=True)
class KeywordMatch:
    """Shaped as the model's prediction: `choices` best first, `reason` set when there are none."""

    choices: list[tuple[str, float]]
    reason: str = ""
    # The rule that brought each value (the one with the most hits).
    rules: dict[str, int] = field(default_factory=dict)


def phrase_stems(keywords: str) -> list[tuple[str, ...]]:
    """A rule's phrases, one a line, each as its stems; a line of stop words only is no phrase."""
    return [phrase for line in keywords.splitlines()
            if (phrase := tuple(stems(line, keep=NEGATIONS))) and not set(phrase) <= NEGATIONS]


def _hits(text_stems: list[str], phrase: tuple[str, ...]) -> int:
    size = len(phrase)
    return sum(1 for start in range(len(text_stems) - size + 1) if tuple(text_stems[start:start + size]) == phrase)


def match_many(field_name: str, texts: list[str]) -> list[KeywordMatch]:
    """For each text, the values whose rules it matches, best first. The confidence is the value's
    share of all the hits, less for fewer hits: hits / (all hits + 1) — one word alone is a guess."""
    rules = [(rule.pk, rule.value, phrase_stems(rule.keywords))
             for rule in KeywordRule.objects.filter(field=field_name, active=True).order_by("pk")]
    if not rules:
        return [KeywordMatch([], _("No model and no keyword rules for this field yet.")) for _text in texts]
    matches = []
    for text in texts:
        text_stems = stems(text, keep=NEGATIONS)
        by_value: dict[str, int] = {}
        best_rule: dict[str, tuple[int, int]] = {}
        for pk, value, phrases in rules:
            hits = sum(_hits(text_stems, phrase) for phrase in phrases)
            if hits:
                by_value[value] = by_value.get(value, 0) + hits
                if hits > best_rule.get(value, (0, 0))[0]:
                    best_rule[value] = (hits, pk)
        if not by_value:
            matches.append(KeywordMatch([], _("No keyword rule matches the text.")))
            continue
        total = sum(by_value.values()) + 1
        ranked = sorted(by_value.items(), key=lambda item: (-item[1], item[0]))[:TOP]
        matches.append(KeywordMatch(
            [(value, hits / total) for value, hits in ranked],
            rules={value: best_rule[value][1] for value, _h in ranked},
        ))
    return matches
