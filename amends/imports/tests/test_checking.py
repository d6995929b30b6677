"""The row check: dates, the channel, state and classification by name, the reasons for a reject, the
column guess and the preview."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from amends.complaints.choices import Channel, Importance, Justification, State
from amends.imports.checking import RowChecker, date_parse, rows_preview
from amends.imports.mapping import CFPB, FIELD_KEYS, mapping_guess
from amends.imports.reading import table_open

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=MOSCOW)


@pytest.mark.parametrize("text, expected", [
    ("2024-12-31", datetime(2024, 12, 31)),
    ("2024-12-31 14:05", datetime(2024, 12, 31, 14, 5)),
    ("2024-12-31T14:05:09", datetime(2024, 12, 31, 14, 5, 9)),
    ("31.12.2024", datetime(2024, 12, 31)),
    ("31.12.2024 14:05", datetime(2024, 12, 31, 14, 5)),
    ("1.2.24", datetime(2024, 2, 1)),
    ("31 декабря 2024", datetime(2024, 12, 31)),
    ("31 декабря 2024 г.", datetime(2024, 12, 31)),
    ("5 мая 2023 14:30", datetime(2023, 5, 5, 14, 30)),
    ("12/31/2024", datetime(2024, 12, 31)),
    ("3/1/23", datetime(2023, 3, 1)),
    ("12/31/2024 2:05 PM", datetime(2024, 12, 31, 14, 5)),
    ("December 31, 2024", datetime(2024, 12, 31)),
])
def test_dates_in_the_common_forms(settings, text, expected):
    settings.TIME_ZONE = "Europe/Moscow"
    date_parse.cache_clear()
    assert date_parse(text) == expected.replace(tzinfo=ZoneInfo("Europe/Moscow"))


def test_a_date_with_its_offset_keeps_it():
    assert date_parse("2023-06-05T12:00:00-05:00") == datetime(2023, 6, 5, 17, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("text", ["31.02.2024", "2024-13-01", "вчера", "32 декабря 2024", "12/31", "31 smarch 2024"])
def test_what_is_no_date(text):
    assert date_parse(text) is None


def values(**given) -> dict[str, str]:
    return {key: given.get(key, "") for key in FIELD_KEYS}


def test_a_good_row_becomes_a_card_row():
    card, problems = RowChecker({}, now=NOW).check(7, values(
        row_id="Ж-1", received_at="31.12.2024 14:05", wording="Опоздал курьер", channel="Телефон",
        state="Закрыта", closed_at="10.01.2025", justification="Частично", importance="Высокая",
        email="Ivan@Example.RU",
    ))
    assert problems == []
    assert card.number == 7
    assert (card.channel, card.state, card.justification, card.importance) == (
        Channel.PHONE, State.CLOSED, Justification.PARTLY, Importance.HIGH)
    assert card.closed_at.date().isoformat() == "2025-01-10"
    assert card.email == "ivan@example.ru"


def test_our_own_codes_and_labels_in_every_language_are_known():
    checker = RowChecker({}, now=NOW)
    for state in ("closed", "Closed", "Закрыта", "investigating"):
        card, problems = checker.check(2, values(received_at="2024-01-01", wording="x", state=state))
        assert problems == [], state


def test_defaults_for_what_the_journal_does_not_say():
    checker = RowChecker({}, now=NOW)
    open_card, _problems = checker.check(2, values(received_at="2024-01-01", wording="x"))
    assert (open_card.state, open_card.channel, open_card.importance, open_card.closed_at) == (
        State.REGISTERED, Channel.LETTER, Importance.MEDIUM, None)
    closed, _problems = checker.check(3, values(received_at="2024-01-01", wording="x", closed_at="2024-01-05"))
    assert closed.state == State.CLOSED
    closed_no_date, _problems = checker.check(4, values(received_at="2024-01-01", wording="x", state="Closed"))
    assert closed_no_date.closed_at == closed_no_date.received_at
    same_day, problems = checker.check(5, values(received_at="01.01.2024 15:00", wording="x", closed_at="01.01.2024"))
    assert problems == [] and same_day.closed_at == same_day.received_at


def test_the_category_stands_for_a_missing_wording():
    card, _problems = RowChecker({}, now=NOW).check(2, values(received_at="2024-01-01", category="Billing",
                                                              subcategory="Charged twice"))
    assert card.wording == "Billing › Charged twice"


@pytest.mark.parametrize("row, reason", [
    ({"received_at": "", "wording": "x"}, "No date received"),
    ({"received_at": "yesterday", "wording": "x"}, "is not a date"),
    ({"received_at": "2030-01-01", "wording": "x"}, "in the future"),
    ({"received_at": "2024-01-01"}, "No customer's wording"),
    ({"received_at": "2024-01-01", "wording": "x", "state": "Lost in space"}, "State “Lost in space” is not known"),
    ({"received_at": "2024-01-01", "wording": "x", "channel": "Pigeon"}, "Channel “Pigeon” is not known"),
    ({"received_at": "2024-01-05", "wording": "x", "closed_at": "2024-01-01"}, "Closed before it was received"),
    ({"received_at": "2024-01-05", "wording": "x", "closed_at": "2031-01-01"}, "Closing date 2031-01-01 is in the"),
    ({"received_at": "2024-01-05", "wording": "x", "email": "not an address"}, "is not an address"),
    ({"received_at": "2024-01-05", "wording": "x", "category": "c" * 201}, "longer than 200"),
    ({"received_at": "2024-01-05", "wording": "Bad \ufffd bytes"}, "not text in the file's encoding"),
])
def test_reasons_for_a_reject(row, reason):
    with translation.override("en"):
        card, problems = RowChecker({}, now=NOW).check(9, values(**row))
    assert card is None
    assert any(reason in problem for problem in problems), problems


def test_cfpb_export_is_recognised():
    header = ["Date received", "Product", "Sub-product", "Issue", "Sub-issue", "Consumer complaint narrative",
              "Company public response", "Company", "State", "ZIP code", "Tags", "Consumer consent provided?",
              "Submitted via", "Date sent to company", "Company response to consumer", "Timely response?",
              "Consumer disputed?", "Complaint ID"]
    assert mapping_guess(header) == CFPB


def test_headers_are_guessed_in_russian_and_english():
    assert mapping_guess(["№ п/п", "Дата поступления", "Суть жалобы", "ФИО", "Телефон", "E-mail", "Статус",
                          "Организация"]) == {
        "row_id": "№ п/п", "received_at": "Дата поступления", "wording": "Суть жалобы", "organisation": "Организация",
        "contact_name": "ФИО", "email": "E-mail", "phone": "Телефон", "state": "Статус",
    }
    assert mapping_guess(["Ticket ID", "Created", "Description", "Priority"]) == {
        "row_id": "Ticket ID", "received_at": "Created", "wording": "Description", "importance": "Priority",
    }


def test_preview_shows_the_mapped_fields_and_problems(tmp_path):
    path = tmp_path / "journal.csv"
    path.write_text("Дата;Текст\n31.12.2024;Опоздал курьер\nзавтра;Сломан\n" + "01.01.2024;x\n" * 30,
                    encoding="utf-8")
    table = table_open(path)
    with translation.override("en"):
        preview = rows_preview(table, {"received_at": "Дата", "wording": "Текст"}, limit=5)
    assert len(preview) == 5
    assert preview[0].number == 2
    assert preview[0].values["received_at"] == "31.12.2024"
    assert preview[0].values["wording"] == "Опоздал курьер"
    assert preview[0].problems == []
    assert preview[1].problems == ["Date received “завтра” is not a date."]
    with translation.override("en"):
        unmapped = rows_preview(table, {"wording": "Текст"}, limit=1)
    assert "No column is chosen for: Date received." in unmapped[0].problems
