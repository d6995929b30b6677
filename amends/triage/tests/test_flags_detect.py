"""What raises each flag, in Russian, English and Armenian, and what does not."""

import pytest

from amends.triage.flags import EVIDENCE_LENGTH, detect
from amends.triage.models import FlagKind


def kinds(text: str) -> dict[str, str]:
    return {found.kind: found.evidence for found in detect(text)}


@pytest.mark.parametrize(("text", "kind", "evidence"), [
    ("Если не вернёте деньги, подам в суд.", FlagKind.LEGAL, "подам в суд"),
    ("Судом это решится.", FlagKind.LEGAL, "Судом"),
    ("Мой адвокат уже готовит исковое заявление.", FlagKind.LEGAL, "адвокат; исковое"),
    ("I will sue you and my lawyer will call.", FlagKind.LEGAL, "sue; lawyer"),
    ("Ես դիմելու եմ դատարան։", FlagKind.LEGAL, "դատարան"),
    ("Напишу жалобу в Роспотребнадзор и прокуратуру.", FlagKind.REGULATOR, "Роспотребнадзор; прокуратуру"),
    ("I have filed a complaint with the CFPB.", FlagKind.REGULATOR, "CFPB"),
    ("Կդիմեմ Կենտրոնական բանկ։", FlagKind.REGULATOR, "Կենտրոնական բանկ"),
    ("Расскажу всем в соцсетях и журналистам.", FlagKind.PUBLICITY, "Расскажу всем; соцсетях; журналистам"),
    ("I'll post this on social media.", FlagKind.PUBLICITY, "social media"),
    ("Чайник загорелся, ребёнок получил ожог.", FlagKind.SAFETY, "загорелся; ожог"),
    ("The heater caught fire and my son was injured.", FlagKind.SAFETY, "caught fire; injured"),
    ("Երեխան թունավորվել է։", FlagKind.SAFETY, "թունավորվել"),
    ("Вы ещё пожалеете, мало не покажется.", FlagKind.THREAT, "пожалеете; мало не покажется"),
    ("You will regret this.", FlagKind.THREAT, "You will regret"),
    ("Вы мошенники и хамы!", FlagKind.ANGER, "мошенники; хамы"),
])
def test_each_flag_with_the_words_that_raised_it(text, kind, evidence):
    assert kinds(text)[kind] == evidence


def test_a_refused_court_is_still_a_legal_mention():
    assert FlagKind.LEGAL in kinds("Я НЕ пойду в суд, если вы всё исправите.")
    assert FlagKind.LEGAL in kinds("I will not go to court if you fix it.")


@pytest.mark.parametrize("text", [
    "Никто не пострадал, но упаковка порвана.",
    "No injury, but the box was torn.",
    "Ոչ ոք չի վնասվածք ստացել։",
])
def test_a_denied_danger_is_no_safety_flag(text):
    assert FlagKind.SAFETY not in kinds(text)


def test_a_plain_complaint_raises_nothing():
    assert detect("Доставка опоздала на три дня, курьер не перезвонил.") == []
    assert detect("My package arrived two days late.") == []


def test_common_words_that_look_like_flags_do_not_raise_them():
    assert detect("Судя по трекингу, посылка в пути. Нажмите press 1.") == []


@pytest.mark.parametrize("text", ["", " ", "Die Lieferung kam zu spät.", "快递晚了", "🙂" * 10])
def test_bad_input_raises_nothing(text):
    assert detect(text) == []


def test_evidence_fits_its_column():
    text = " ".join(f"суд{n} суд." for n in range(200)) + " " + "суд, адвокат, юрист, иск. " * 100
    for found in detect(text):
        assert len(found.evidence) <= EVIDENCE_LENGTH


def test_a_huge_text_is_no_error():
    assert detect("Товар пришёл. " * 100_000) == []
