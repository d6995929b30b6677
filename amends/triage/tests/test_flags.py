"""Flags stored for registered cards, importance raised as the system with the reason on the timeline."""

import pytest
from django.utils import translation

from amends.complaints.choices import Channel, EventKind, Importance
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import (
    complaint_prepare,
    complaint_register,
    complaint_transition,
    complaint_update,
    complaints_register_prepared,
)
from amends.triage.flags import RAISED, flag_many
from amends.triage.models import Flag, FlagKind

THREAT_AND_COURT = "Товар пришёл разбитым. Вы ещё пожалеете: подам в суд и напишу в СМИ!"


def register(actor, wording: str, **extra) -> Complaint:
    return complaint_register(actor=actor, channel=Channel.PHONE, wording=wording, **extra)


def flags_of(complaint) -> dict[str, str]:
    return dict(Flag.objects.filter(complaint=complaint).values_list("kind", "evidence"))


def raised_notes(complaint) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(complaint=complaint, kind=EventKind.NOTE, code=RAISED))


def test_a_registered_card_is_flagged_and_raised_to_critical(operator):
    card = register(operator, THREAT_AND_COURT)
    assert flags_of(card) == {
        FlagKind.THREAT: "пожалеете", FlagKind.LEGAL: "подам в суд", FlagKind.PUBLICITY: "СМИ",
    }
    card.refresh_from_db()
    assert card.importance == Importance.CRITICAL
    change = TimelineEvent.objects.get(complaint=card, kind=EventKind.FIELD_CHANGE, field="importance")
    [note] = raised_notes(card)
    assert change.actor is None and note.actor is None
    with translation.override("en"):
        assert (change.old_display, change.new_display) == ("Medium", "Critical")
        assert note.text_display == (
            "Importance raised: Threatening, Court or lawyer, Press or social networks (пожалеете; подам в суд; СМИ)"
        )


def test_anger_raises_to_high_and_a_plain_complaint_stays(operator):
    angry = register(operator, "Это беспредел, вы мошенники.")
    plain = register(operator, "Доставка опоздала на три дня.")
    angry.refresh_from_db()
    plain.refresh_from_db()
    assert (angry.importance, plain.importance) == (Importance.HIGH, Importance.MEDIUM)
    assert flags_of(plain) == {} and raised_notes(plain) == []


def test_importance_is_never_lowered(operator):
    card = register(operator, "Подам в суд.", importance=Importance.CRITICAL)
    card.refresh_from_db()
    assert card.importance == Importance.CRITICAL
    assert flags_of(card) == {FlagKind.LEGAL: "Подам в суд"}
    assert raised_notes(card) == []


def test_flagging_again_changes_nothing(operator):
    card = register(operator, THREAT_AND_COURT)
    complaint_update(complaint=card, actor=operator, changes={"importance": Importance.LOW})
    flag_many([card.pk])
    card.refresh_from_db()
    # The operator's decision stands: the same flags raise nothing a second time.
    assert card.importance == Importance.LOW
    assert len(flags_of(card)) == 3 and len(raised_notes(card)) == 1


def test_a_new_flag_after_an_edit_raises_again(operator):
    card = register(operator, "Это беспредел.")
    complaint_update(complaint=card, actor=operator, changes={"wording": "Это беспредел. Ребёнок получил ожог."})
    flag_many([card.pk])
    card.refresh_from_db()
    assert card.importance == Importance.CRITICAL
    assert set(flags_of(card)) == {FlagKind.ANGER, FlagKind.SAFETY, FlagKind.NEGATIVE}


def test_a_closed_card_keeps_its_importance(operator, qms):
    card = register(operator, "Доставка опоздала.")
    complaint_transition(complaint=card, name="withdraw", actor=qms, comment="Отозвана клиентом")
    Complaint.objects.filter(pk=card.pk).update(wording="Подам в суд!")
    flag_many([card.pk])
    card.refresh_from_db()
    assert card.importance == Importance.MEDIUM
    assert flags_of(card) == {FlagKind.LEGAL: "Подам в суд"}


def test_missing_cards_and_empty_lists_are_no_error(operator):
    flag_many([])
    flag_many([987654])
    assert Flag.objects.count() == 0


def test_the_job_flags_the_whole_batch(operator):
    cards = complaints_register_prepared([
        complaint_prepare(actor=None, channel=Channel.EMAIL, wording=text)
        for text in ("Подам в суд.", "Спасибо, всё хорошо.", "I will contact the CFPB.")
    ])
    assert [sorted(flags_of(card)) for card in cards] == [[FlagKind.LEGAL], [], [FlagKind.REGULATOR]]


@pytest.mark.parametrize("wording", ["", "Die Lieferung kam zu spät.", "Товар пришёл. " * 30_000])
def test_bad_wording_registers_without_flags(operator, wording):
    card = register(operator, wording or "—")
    Complaint.objects.filter(pk=card.pk).update(wording=wording)
    flag_many([card.pk])
    assert flags_of(card) == {}
