import pytest
from django.utils import translation

from amends.complaints.models import Category
from amends.triage.keywords import match_many
from amends.triage.models import KeywordRule, TriageField

pytestmark = pytest.mark.django_db


def _rule(value: str, keywords: str, field: str = TriageField.CATEGORY, active: bool = True) -> KeywordRule:
    return KeywordRule.objects.create(field=field, value=value, keywords=keywords, active=active)


def test_words_match_in_their_other_forms_in_russian_and_english():
    delivery = _rule("1", "доставка\ndelivery")
    found = match_many(TriageField.CATEGORY, ["Доставку задержали на неделю", "The delivery was late", "Всё хорошо"])
    assert [m.choices[0][0] if m.choices else None for m in found] == ["1", "1", None]
    assert found[0].rules == {"1": delivery.pk}
    assert found[2].reason


def test_armenian_words_match_as_written():
    _rule("2", "առաքում")
    found = match_many(TriageField.CATEGORY, ["Առաքում ուշացավ", "Ուշացավ"])
    assert found[0].choices[0][0] == "2"
    assert not found[1].choices


def test_a_phrase_matches_only_its_words_in_order():
    _rule("3", "горячая вода")
    found = match_many(TriageField.CATEGORY, ["Горячую воду отключили", "Вода была горячая"])
    assert found[0].choices[0][0] == "3"
    assert found[1].choices == []


def test_the_value_with_most_hits_comes_first_with_the_others_next_and_confidence_below_one():
    _rule("5", "курьер\nопоздал")
    _rule("6", "сломан")
    [match] = match_many(TriageField.CATEGORY, ["Курьер опоздал, курьер грубил, коробка — сломана"])
    assert [value for value, _c in match.choices] == ["5", "6"]
    assert match.choices[0][1] == pytest.approx(3 / 5)
    assert match.choices[1][1] == pytest.approx(1 / 5)


def test_rules_out_of_use_or_of_another_field_do_not_count():
    _rule("7", "курьер", active=False)
    _rule("high", "курьер", field=TriageField.IMPORTANCE)
    with translation.override("en"):
        [match] = match_many(TriageField.CATEGORY, ["Курьер опоздал"])
    assert match.choices == []
    assert "No model and no keyword rules" in match.reason


def test_a_real_category_is_found_by_its_rule():
    category = Category.objects.filter(parent__isnull=False).first() or Category.objects.create(name="Доставка")
    _rule(str(category.pk), "посылка")
    [match] = match_many(TriageField.CATEGORY, ["Посылку потеряли"])
    assert match.choices[0][0] == str(category.pk)


def test_a_negation_stays_in_its_phrase():
    _rule("8", "не работает\nnot working")
    found = match_many(TriageField.CATEGORY, [
        "Лифт не работает третий день", "Лифт работает исправно", "The lift is not working", "The lift is working",
    ])
    assert [m.choices[0][0] if m.choices else None for m in found] == ["8", None, "8", None]


def test_the_other_stop_words_are_still_left_out_on_both_sides():
    _rule("9", "delivery of the parcel")
    [match] = match_many(TriageField.CATEGORY, ["Delivery parcel was late"])
    assert match.choices[0][0] == "9"


def test_a_line_of_negations_or_stop_words_only_is_no_phrase():
    _rule("10", "не\nи\nnot")
    [match] = match_many(TriageField.CATEGORY, ["Не пришло и not delivered"])
    assert match.choices == []
