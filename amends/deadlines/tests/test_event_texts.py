"""Deadline entries read in the reader's language and date format, whoever wrote them."""

from django.utils import translation

from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import TimelineEvent
from amends.complaints.services import complaint_update
from amends.core.dates import datetime_text
from amends.deadlines.choices import ClockKind
from amends.deadlines.services import waiting_end, waiting_start

from .conftest import clocks_of, msk


def test_an_armenian_reader_sees_a_retimed_entry_in_armenian(frozen, register, qms):
    frozen(msk(2025, 3, 12, 10))
    complaint = register(channel=Channel.EMAIL)
    before = clocks_of(complaint)[ClockKind.DECISION].due_at
    frozen(msk(2025, 3, 12, 15))
    with translation.override("ru"):
        complaint = complaint_update(complaint=complaint, actor=qms, changes={"needs_investigation": True})
    after = clocks_of(complaint)[ClockKind.DECISION].due_at
    event = TimelineEvent.objects.get(complaint=complaint, kind=EventKind.DEADLINE, code="retimed")
    assert event.text.startswith("Решение: срок")
    with translation.override("hy"):
        assert event.text_display == (
            f"{ClockKind.DECISION.label}՝ ժամկետը {datetime_text(before)} → {datetime_text(after)}"
        )
        assert "Решение" not in event.text_display


def test_a_wait_started_in_russian_reads_in_english(frozen, register, qms):
    frozen(msk(2025, 3, 12, 10))
    complaint = register(channel=Channel.EMAIL)
    with translation.override("ru"):
        waiting_start(complaint=complaint, actor=qms, reason="фото дефекта")
        waiting_end(complaint=complaint, actor=qms)
    entries = TimelineEvent.objects.filter(complaint=complaint, kind=EventKind.DEADLINE).order_by("pk")
    with translation.override("en"):
        assert [entry.text_display for entry in entries] == [
            "Waiting for the customer: фото дефекта. The deadlines are paused.",
            "No longer waiting for the customer (фото дефекта). The deadlines run again.",
        ]
