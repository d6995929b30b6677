"""The wording cut into its rational part (facts, demand) and its emotional part (feelings, threats)."""

from amends.triage.parts import split


def test_facts_and_demand_apart_from_feelings_and_threats():
    parts = split(
        "Заказ 12345 пришёл 3 марта с разбитым экраном. Прошу заменить телефон. "
        "Я в ужасе от вашего отношения! Иначе напишу в СМИ и пожалеете."
    )
    assert parts.rational == ["Заказ 12345 пришёл 3 марта с разбитым экраном.", "Прошу заменить телефон."]
    assert parts.emotional == ["Я в ужасе от вашего отношения!", "Иначе напишу в СМИ и пожалеете."]


def test_english_and_armenian():
    english = split("I was charged twice on May 5. Please refund the fee. This is outrageous!!")
    assert english.emotional == ["This is outrageous!!"]
    assert len(english.rational) == 2
    armenian = split("Պատվերը չի առաքվել։ Սա անընդունելի է, զզվելի է։")
    assert armenian.rational == ["Պատվերը չի առաքվել։"]
    assert armenian.emotional == ["Սա անընդունելի է, զզվելի է։"]


def test_a_sentence_with_a_demand_and_an_insult_weighs_them():
    assert split("Верните деньги, мошенники!").emotional == ["Верните деньги, мошенники!"]
    assert split("Верните деньги за заказ 77 и сделайте перерасчет, мошенники.").emotional == []


def test_nothing_to_split():
    parts = split("")
    assert parts.rational == [] and parts.emotional == []
    assert split("Bonjour, la livraison est en retard.").emotional == []
