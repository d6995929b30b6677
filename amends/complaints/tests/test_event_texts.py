"""Measure entries read in the reader's language and date format, whoever wrote them."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from amends.accounts.roles import Role
from amends.complaints.choices import EventKind
from amends.complaints.choices import State as S
from amends.complaints.models import TimelineEvent
from amends.complaints.services import measure_add, measure_remove, measure_report
from amends.core.dates import date_text


@pytest.fixture
def russian_measures(walk, responsible, executor):
    """A decided card whose measures a Russian responsible plans, reports on and removes."""
    complaint = walk(None, S.DECIDED)
    due = timezone.localdate().replace(year=timezone.localdate().year + 1, month=12, day=13)
    with translation.override("ru"):
        done = measure_add(complaint=complaint, actor=responsible, description="Заменить пульт.",
                           executor=executor, due_date=due)
        removed = measure_add(complaint=complaint, actor=responsible, description="Позвонить клиенту",
                              executor=executor, due_date=due)
        measure_remove(measure=removed, actor=responsible)
        complaint = walk(complaint, S.IN_PROGRESS)
        measure_report(measure=done, actor=executor, report="Пульт заменён")
    return complaint, due


def measure_entries(complaint) -> list[TimelineEvent]:
    return list(complaint.events.filter(kind=EventKind.MEASURE).order_by("pk"))


def test_the_writer_language_is_kept_as_the_text_and_the_reader_gets_his_own(russian_measures, executor):
    complaint, due = russian_measures
    entries = measure_entries(complaint)
    assert entries[0].text.startswith("Запланировано мероприятие: Заменить пульт.")
    with translation.override("en"):
        assert [entry.text_display for entry in entries] == [
            f"Measure planned: Заменить пульт. — {executor}, due {date_text(due)}",
            f"Measure planned: Позвонить клиенту — {executor}, due {date_text(due)}",
            "Measure removed: Позвонить клиенту",
            "Measure done: Заменить пульт. Report: Пульт заменён",
        ]
        english_date = date_text(due)
    with translation.override("ru"):
        assert english_date != date_text(due)  # the formats differ, so the date really follows the reader


def test_an_english_reader_of_the_card_sees_english_entries_and_dates(russian_measures, client, make_user):
    complaint, due = russian_measures
    reader = make_user("reader", Role.QMS_HEAD, language="en")
    client.force_login(reader)
    page = client.get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    with translation.override("en"):
        assert f"due {date_text(due)}" in page
    assert "Measure done: Заменить пульт. Report: Пульт заменён" in page
    assert "Запланировано" not in page and "Мероприятие выполнено" not in page


def test_an_entry_without_params_reads_as_stored(complaint):
    old = TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.MEASURE, text="Запланировано мероприятие: старое, срок 13.12.2026",
    )
    broken = TimelineEvent.objects.create(
        complaint=complaint, kind=EventKind.MEASURE, code="planned", params={"measure": "неполная"}, text="как было",
    )
    with translation.override("en"):
        assert old.text_display == "Запланировано мероприятие: старое, срок 13.12.2026"
        assert broken.text_display == "как было"

