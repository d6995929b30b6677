"""The satisfaction coefficient exactly as the seeds compute it (DOMAIN.md §8, seed 000 stage 2):

    weight_i = importance_i / Σ importance × 100   (per cent)
    k_i      = score_i × weight_i / 100
    K        = Σ k_i                                (a weighted mean on the 1-10 scale)

Worked in fractions, so that K = 8 exactly is 8 and not 7.999...; rounded only for display.
An importance of 0 ("does not matter to me") gives the criterion no weight; a criterion the customer
left blank is not rated at all. Scores run 1-10, importances 0-10."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from .choices import Band

SCORES = range(1, 11)
IMPORTANCES = range(0, 11)
# K as stored and shown: four places are exact enough to tell any K from the threshold (K's
# denominator is a sum of importances, never near 10,000) and are what the pages round from.
K_PLACES = Decimal("0.0001")


class RatingError(ValueError):
    """A questionnaire that cannot be scored; the message says why, for the person who filled it in."""


@dataclass(frozen=True)
class Rating:
    score: int
    importance: int


@dataclass(frozen=True)
class Part:
    """One criterion's line of the seeds' table: its weight in per cent and its k."""

    rating: Rating
    weight: Fraction
    k: Fraction


def ratings_check(ratings: Sequence[Rating]) -> None:
    for rating in ratings:
        if rating.score not in SCORES:
            raise RatingError(_("A score is from 1 to 10, not %(value)s.") % {"value": rating.score})
        if rating.importance not in IMPORTANCES:
            raise RatingError(_("An importance is from 0 to 10, not %(value)s.") % {"value": rating.importance})
    if not any(rating.importance for rating in ratings):
        raise RatingError(_(
            "Give at least one criterion an importance above 0: with no importance there are no weights "
            "and no coefficient."
        ))


def parts(ratings: Sequence[Rating]) -> list[Part]:
    """The seeds' table: each criterion's weight (per cent) and k; RatingError when it cannot be scored."""
    ratings_check(ratings)
    total = sum(rating.importance for rating in ratings)
    found = []
    for rating in ratings:
        weight = Fraction(rating.importance * 100, total)
        found.append(Part(rating, weight, rating.score * weight / 100))
    return found


def coefficient(ratings: Sequence[Rating]) -> Fraction:
    """K = Σ k_i, exactly."""
    return sum((part.k for part in parts(ratings)), Fraction(0))


def sums(ratings: Sequence[Rating]) -> tuple[int, int]:
    """(Σ score × importance, Σ importance): K is their ratio, and the two add up over criteria in SQL."""
    ratings_check(ratings)
    return sum(r.score * r.importance for r in ratings), sum(r.importance for r in ratings)


def rounded(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(K_PLACES, rounding=ROUND_HALF_UP)


def below(value: Fraction | Decimal, threshold: Decimal) -> bool:
    """Whether K is below the threshold, compared exactly (K = 8 is not below 8)."""
    return Fraction(value) < Fraction(threshold)


def band(value: Fraction | Decimal | int) -> Band:
    """1-3 low, 4-7 medium, 8-10 high; a K between bands (7.5) falls in the lower one, as it has not reached 8."""
    if value >= 8:
        return Band.HIGH
    if value >= 4:
        return Band.MEDIUM
    return Band.LOW
