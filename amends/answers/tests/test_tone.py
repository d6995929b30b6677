"""The tone check: stop-phrases matched on word forms with their spans and replacements, the
Listen–Apologise–Solve–Thank checklist, phrases administrators add, and the send check."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from amends.answers.checks import letter_problems
from amends.answers.models import Letter, StopPhrase
from amends.answers.tone import tone_check, tone_language

SEED = json.loads((Path(__file__).resolve().parents[1] / "data" / "stopwords.json").read_text(encoding="utf-8"))


def seeded(language: str, number: int) -> dict:
    return [row for row in SEED if row["language"] == language][number - 1]


def only_finding(text: str, language: str):
    findings = tone_check(text, language).findings
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize("text, matched", [
    ("К сожалению, мы не можем вам помочь.", "не можем вам помочь"),
    ("Мы не смогли помочь с заменой.", "не смогли помочь"),
    ("Боюсь, не сможем помочь.", "не сможем помочь"),
    ("Ничем, увы, не можем помочь.", "Ничем, увы, не можем помочь"),
])
def test_russian_cannot_matches_in_every_form(db, text, matched):
    finding = only_finding(text, "ru")
    assert finding.matched == matched
    assert finding.phrase == seeded("ru", 26)["phrase"]
    assert finding.replacement == "«Вот что я могу сделать: …»"


@pytest.mark.parametrize("language, text, matched, number", [
    ("ru", "Успокойтесь, пожалуйста.", "Успокойтесь", 20),
    ("ru", "Да успокойся ты.", "успокойся", 20),
    ("ru", "Вы должны прислать чек.", "Вы должны", 22),
    ("ru", "Вы обязаны предъявить паспорт.", "Вы обязаны", 22),
    ("ru", "Это не наша вина.", "не наша вина", 25),
    ("ru", "Я ничего не могу вам обещать.", "ничего не могу вам обещать", 7),
    ("en", "Please calm down.", "calm down", 1),
    ("en", "Calming down would help us both.", "Calming down", 1),
    ("en", "Sorry, it's our policy.", "it's our policy", 2),
    ("en", "It's our policies, I'm afraid.", "It's our policies", 2),
    ("en", "You'll have to send the receipt.", "You'll have to", 3),
    ("en", "We don't know when it arrives.", "We don't know", 9),
    ("hy", "Խնդրում եմ, հանգստացե՛ք։", "հանգստացե՛ք", 1),
    ("hy", "Մենք ոչինչ չենք կարող անել։", "ոչինչ չենք կարող անել", 4),
    ("hy", "Ցավոք, ոչնչով չենք կարող օգնել։", "ոչնչով չենք կարող օգնել", 4),
    ("hy", "Ես չգիտեմ, երբ կհասնի։", "Ես չգիտեմ", 3),
    ("hy", "Դուք մեզ սխալ եք հասկացել։", "Դուք մեզ սխալ եք հասկացել", 2),
])
def test_inflected_forms_in_each_language(db, language, text, matched, number):
    finding = only_finding(text, language)
    assert (finding.matched, finding.phrase) == (matched, seeded(language, number)["phrase"])


@pytest.mark.parametrize("text, language", [
    ("Мы можем помочь уже завтра.", "ru"),
    ("Мы должны вам 500 рублей и вернём их 12.03.", "ru"),
    ("Успокоительного тона мы и придерживаемся.", "ru"),
    ("The weather was calm. Down the road is our shop.", "en"),
    ("Our policy lets us refund you today.", "en"),
    ("Մենք կարող ենք օգնել վաղը։", "hy"),
])
def test_near_misses_are_not_findings(db, text, language):
    assert tone_check(text, language).findings == []


def test_spans_point_into_the_original_text(db):
    text = "Здравствуйте!\nВы должны были сразу сообщить. Успокойтесь, пожалуйста: мы не сможем помочь."
    report = tone_check(text, "ru")
    assert [(text[f.start:f.end], f.matched) for f in report.findings] == [
        ("Вы должны", "Вы должны"), ("Успокойтесь", "Успокойтесь"), ("не сможем помочь", "не сможем помочь"),
    ]
    assert report.findings[0].start == text.index("Вы должны")
    assert report.findings[2].words == ("не", "сможем", "помочь")
    assert "".join(part for part, _finding in report.segments()) == text


def test_a_gap_stays_within_a_sentence(db):
    assert tone_check("Мы не можем. Помочь вам готов Иван.", "ru").findings == []


def test_checklist_of_a_warm_answer_and_of_a_cold_one(db):
    warm = tone_check(
        "Спасибо, что написали нам. Приносим извинения за задержку: заменим чайник 15 марта. "
        "Ваш менеджер — Анна Петрова, +7 912 345-67-89, anna@example.ru.", "ru",
    )
    assert all(item.ok for item in warm.checklist), warm.checklist
    cold = tone_check("Нет. Перезвоните нам позже.", "ru")
    missing = {item.code for item in cold.checklist if not item.ok}
    assert missing == {"thanks", "apology", "solution_date", "contacts", "no_call_back", "no_bare_no"}
    assert {item.code for item in tone_check("I don't know. Call us back.", "en").checklist if not item.ok} >= {
        "no_bare_no", "no_call_back",
    }
    armenian = tone_check("Շնորհակալություն։ Ներողություն ենք խնդրում։ Կզանգենք վաղը, հեռ. +374 10 123456։", "hy")
    assert all(item.ok for item in armenian.checklist), armenian.checklist


def test_problems_are_overridable_and_name_the_replacement(db):
    problems = tone_check("Успокойтесь.", "ru").problems()
    assert problems and all(problem.overridable for problem in problems)
    assert problems[0].code == "tone" and "Понимаю, насколько это неприятно" in problems[0].message


def test_the_language_is_read_from_the_text_when_not_given(settings):
    assert tone_language("", "Հանգստացեք") == "hy"
    assert tone_language("", "Calm down") == "en"
    assert tone_language("en-us", "Успокойтесь") == "en"
    assert tone_language("", "12345") == settings.LANGUAGE_CODE


def test_a_stop_phrase_an_administrator_adds_is_matched(client, administrator):
    text = "Ваш вопрос рассмотрят в порядке общей очереди."
    assert tone_check(text, "ru").findings == []
    client.force_login(administrator)
    response = client.post(reverse("admin:answers_stopphrase_add"), {
        "language": "ru", "phrase": "в порядке ... очереди", "replacement": "«Ответим до 15 марта»",
        "source": "", "active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    finding = only_finding(text, "ru")
    assert (finding.matched, finding.replacement) == ("в порядке общей очереди", "«Ответим до 15 марта»")
    StopPhrase.objects.filter(phrase="в порядке ... очереди").update(active=False)
    assert tone_check(text, "ru").findings == []


def test_the_admin_refuses_a_phrase_without_words(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("admin:answers_stopphrase_add"), {
        "language": "ru", "phrase": "... ;", "replacement": "x", "active": "on",
    })
    assert response.status_code == 200 and not StopPhrase.objects.filter(replacement="x").exists()


def test_the_live_check_shows_each_finding_in_place_with_its_replacement(client, responsible):
    url = reverse("answers:tone_check")
    assert client.post(url, {"text": "Успокойтесь."}).status_code == 302  # staff only
    client.force_login(responsible)
    response = client.post(url, {"field": "body", "body": "Вы должны <b>прислать</b> чек.", "language": "ru"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="tone-finding"' in html and ">Вы должны</mark>" in html
    assert "Пожалуйста, пришлите" in html
    assert "&lt;b&gt;прислать&lt;/b&gt;" in html  # the text is escaped, not rendered
    assert 'data-check="thanks"' in html and "✗" in html


def test_the_send_check_runs_on_subject_and_body_in_the_letters_language(complaint, responsible):
    letter = Letter.objects.create(
        complaint=complaint, outcome="refused", language="en", subject="It's our policy", body="Calm down.",
    )
    with translation.override("en"):  # the findings are worded for the reader
        tone = [problem for problem in letter_problems(letter) if problem.code == "tone"]
    assert [problem.message.split("”")[0] for problem in tone] == ["“It's our policy", "“Calm down"]
    assert all(problem.overridable for problem in letter_problems(letter) if problem.code.startswith("tone"))
    assert "tone:contacts" in {problem.code for problem in letter_problems(letter)}
    responsible.phone = "+7 912 000-00-00"
    responsible.save()
    letter.signed_by = responsible  # the signer's direct contacts go with the letter
    assert "tone:contacts" not in {problem.code for problem in letter_problems(letter)}
