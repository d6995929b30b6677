"""The negative-emotion reading of a text: its lists, negation, and bad input."""

import pytest

from amends.triage import emotion


@pytest.mark.parametrize("text", [
    "Вы издеваетесь? Это беспредел, мошенники!",
    "Достали уже, сколько можно ждать.",
    "This is outrageous, you are a bunch of thieves.",
    "I am sick and tired of your excuses.",
    "Սա անընդունելի է, դուք խաբեբաներ եք։",
])
def test_anger_is_found_in_each_language(text):
    assert emotion.read(text).anger


@pytest.mark.parametrize("text", [
    "Интернет не работает третий день.",
    "Я очень разочарована вашим сервисом.",
    "My card was charged twice and nobody answers.",
    "Ինտերնետը չի աշխատում արդեն երեք օր։",
])
def test_problems_and_feelings_read_negative(text):
    assert emotion.negative(text)


def test_thanks_outweigh_nothing_negative():
    assert not emotion.negative("Спасибо, всё быстро решили, очень довольна!")


def test_a_negated_feeling_does_not_count():
    assert emotion.read("Я не злюсь и не возмущаюсь, просто уточняю.").anger == []
    assert emotion.read("Я возмущаюсь.").anger == ["возмущаюсь"]


def test_an_entry_that_negates_itself_is_read_as_written():
    assert emotion.read("Приложение не работает.").problem == ["не работает"]


def test_the_words_are_given_as_the_customer_wrote_them():
    reading = emotion.read("Это БЕЗОБРАЗИЕ, верните деньги!!!")
    assert reading.anger == ["БЕЗОБРАЗИЕ"]
    assert reading.shouting


@pytest.mark.parametrize("text", ["", "   \n ", "Das ist eine Beschwerde über die Lieferung.", "配送延迟了三天"])
def test_empty_or_unknown_language_reads_nothing(text):
    reading = emotion.read(text)
    assert not reading.negative and not reading.emotional


def test_a_huge_text_is_read_up_to_the_limit():
    text = "Доставка пришла вовремя. " * 5000 + "Это беспредел!"
    assert len(text) > emotion.MAX_CHARS
    assert emotion.read(text).anger == []
    assert emotion.read("Это беспредел! " + text).anger == ["беспредел"]


def test_sentences_keep_their_place_in_the_text():
    text = "Первое предложение. Второе!\nТретье"
    parts = emotion.sentences(text)
    assert [p.text for p in parts] == ["Первое предложение.", "Второе!", "Третье"]
    assert all(text[p.start:p.start + len(p.text)] == p.text for p in parts)
