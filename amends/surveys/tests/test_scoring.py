"""The seeds' arithmetic (DOMAIN.md §8) on examples worked out by hand here."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from amends.surveys.choices import Band
from amends.surveys.scoring import Rating, RatingError, band, below, coefficient, parts, rounded, sums


def test_equal_importances_make_k_the_plain_mean_of_the_scores():
    # 4 criteria of importance 5: each weighs 5/20 × 100 = 25 %; k = 8×0.25, 6×0.25, 10×0.25, 4×0.25.
    ratings = [Rating(8, 5), Rating(6, 5), Rating(10, 5), Rating(4, 5)]
    table = parts(ratings)
    assert [part.weight for part in table] == [25, 25, 25, 25]
    assert [part.k for part in table] == [2, Fraction(3, 2), Fraction(5, 2), 1]
    assert coefficient(ratings) == 7


def test_one_dominant_criterion_pulls_k_towards_its_score():
    # Importances 10, 1, 1, 1 (Σ 13): weights 76.92 %, 7.69 % ×3. Scores 3, 10, 10, 10:
    # K = (3×10 + 10 + 10 + 10) / 13 = 60/13 = 4.6154.
    ratings = [Rating(3, 10), Rating(10, 1), Rating(10, 1), Rating(10, 1)]
    table = parts(ratings)
    assert table[0].weight == Fraction(1000, 13)
    assert rounded(table[0].weight) == Decimal("76.9231")
    assert coefficient(ratings) == Fraction(60, 13)
    assert rounded(coefficient(ratings)) == Decimal("4.6154")
    assert band(coefficient(ratings)) == Band.MEDIUM


def test_k_of_exactly_eight_is_not_below_the_threshold():
    # Importances 3 and 1 (weights 75 % and 25 %), scores 9 and 5: K = 6.75 + 1.25 = 8 exactly.
    ratings = [Rating(9, 3), Rating(5, 1)]
    k = coefficient(ratings)
    assert k == 8
    assert not below(k, Decimal(8))
    assert band(k) == Band.HIGH
    # One point less on the lesser criterion: 6.75 + 1.00 = 7.75, below.
    assert below(coefficient([Rating(9, 3), Rating(4, 1)]), Decimal(8))


def test_the_seed_table_reads_as_weights_summing_to_a_hundred():
    # A customer's sheet: reliability 9/10, delivery 7/8, courtesy 10/3, handling 6/9 (Σ importance 30).
    ratings = [Rating(9, 10), Rating(7, 8), Rating(10, 3), Rating(6, 9)]
    table = parts(ratings)
    assert sum(part.weight for part in table) == 100
    # k: 9×33.33 % = 3, 7×26.67 % = 1.8667, 10×10 % = 1, 6×30 % = 1.8 → K = 7.6667
    assert [rounded(part.k) for part in table] == [
        Decimal("3.0000"), Decimal("1.8667"), Decimal("1.0000"), Decimal("1.8000"),
    ]
    assert rounded(coefficient(ratings)) == Decimal("7.6667")
    assert sums(ratings) == (230, 30)


def test_an_importance_of_zero_gives_no_weight():
    assert coefficient([Rating(2, 0), Rating(9, 4)]) == 9


@pytest.mark.parametrize("ratings", [[Rating(0, 5)], [Rating(11, 5)], [Rating(5, 11)], [Rating(5, -1)]])
def test_values_outside_the_scale_are_refused(ratings):
    with translation.override("en"), pytest.raises(RatingError, match="from"):
        coefficient(ratings)


def test_no_importance_anywhere_is_refused_with_a_reason():
    with translation.override("en"), pytest.raises(RatingError, match="no weights"):
        coefficient([Rating(7, 0), Rating(9, 0)])
    with pytest.raises(RatingError):
        coefficient([])


@pytest.mark.parametrize(("value", "expected"), [
    (1, Band.LOW), (3, Band.LOW), (Fraction(39, 10), Band.LOW), (4, Band.MEDIUM), (7, Band.MEDIUM),
    (Decimal("7.99"), Band.MEDIUM), (8, Band.HIGH), (10, Band.HIGH),
])
def test_bands(value, expected):
    assert band(value) == expected
