"""The customer writes after the answer (issue 13, item 2): the card is flagged in the same
transaction as the message, until the responsible person or the QMS head reopens it or keeps it
closed; with AMENDS_REOPEN_WITHIN_DAYS it reopens by itself within that many days of the answer."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from amends.complaints.choices import EventKind
from amends.complaints.choices import State as S
from amends.complaints.events import KEPT_CLOSED
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_add_message, complaint_keep_closed, complaint_transition
from amends.complaints.transitions import available_transitions
from amends.core.errors import AccessDenied, TransitionNotAllowed


def write(complaint, text="Заменённый чайник тоже течёт.") -> Complaint:
    complaint_add_message(complaint=complaint, incoming=True, text=text)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.mark.parametrize("state", [S.ANSWERED, S.CLOSED])
def test_a_message_to_an_answered_or_closed_card_flags_it_with_its_event(walk, state):
    card = write(walk(None, state))
    message = card.events.get(kind=EventKind.MESSAGE_IN)
    assert card.state == state
    assert card.message_after_answer_at == message.created_at and card.message_after_answer == message


@pytest.mark.parametrize("state", [S.REGISTERED, S.INVESTIGATING, S.IN_PROGRESS, S.RESOLVED])
def test_a_message_before_the_answer_flags_nothing(walk, state):
    card = write(walk(None, state))
    assert card.message_after_answer_at is None and card.message_after_answer is None


def test_the_flag_keeps_the_first_message_waiting(walk):
    card = write(walk(None, S.CLOSED), "Первое")
    first = card.message_after_answer
    card = write(card, "Второе")
    assert card.message_after_answer == first and first.text == "Первое"


def test_the_flag_is_set_in_the_transaction_of_the_message(walk):
    card = walk(None, S.CLOSED)
    with transaction.atomic():
        complaint_add_message(complaint=card, incoming=True, text="Откат")
        assert Complaint.objects.get(pk=card.pk).message_after_answer_at is not None
        transaction.set_rollback(True)
    card = Complaint.objects.get(pk=card.pk)
    assert card.message_after_answer_at is None and not card.events.filter(kind=EventKind.MESSAGE_IN).exists()


def test_a_message_to_the_customer_flags_nothing(walk, responsible):
    card = walk(None, S.ANSWERED)
    complaint_add_message(complaint=card, incoming=False, text="Спасибо!", actor=responsible)
    assert Complaint.objects.get(pk=card.pk).message_after_answer_at is None


# ---------------------------------------------------------------------------------------------
# Reopen for the message: the responsible person may too, once the customer wrote


@pytest.mark.parametrize("state", [S.ANSWERED, S.CLOSED])
@pytest.mark.parametrize("who", ["responsible", "qms"])
def test_the_responsible_person_or_the_qms_head_reopens_for_the_message(request, walk, state, who):
    card = write(walk(None, state))
    actor = request.getfixturevalue(who)
    assert "reopen_for_message" in [t.name for t in available_transitions(actor, card)]
    card = complaint_transition(complaint=card, name="reopen_for_message", actor=actor, comment="Снова течёт")
    card = Complaint.objects.get(pk=card.pk)
    assert card.state == S.INVESTIGATING
    assert card.message_after_answer_at is None and card.message_after_answer is None
    event = card.events.filter(kind=EventKind.TRANSITION).last()
    assert (event.transition, event.actor, event.text) == ("reopen_for_message", actor, "Снова течёт")


def test_without_a_message_the_responsible_person_may_not_reopen(walk, responsible):
    card = walk(None, S.CLOSED)
    assert [t.name for t in available_transitions(responsible, card)] == []
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(complaint=card, name="reopen_for_message", actor=responsible, comment="Хочу")
    with pytest.raises(AccessDenied):
        complaint_transition(complaint=card, name="reopen", actor=responsible, comment="Хочу")


@pytest.mark.parametrize("who", ["executor", "operator", "manager", "responsible2"])
def test_others_may_not_reopen_for_the_message(request, walk, who):
    card = write(walk(None, S.CLOSED))
    actor = request.getfixturevalue(who)
    with pytest.raises(AccessDenied):
        complaint_transition(complaint=card, name="reopen_for_message", actor=actor, comment="Хочу")
    assert Complaint.objects.get(pk=card.pk).state == S.CLOSED


def test_the_qms_head_sees_one_reopening_button(walk, qms):
    card = walk(None, S.CLOSED)
    assert [t.name for t in available_transitions(qms, card)] == ["reopen"]
    card = write(card)
    assert [t.name for t in available_transitions(qms, card)] == ["reopen_for_message"]


def test_a_reopening_restarts_the_decision_clock(walk, responsible):
    card = write(walk(None, S.CLOSED))
    complaint_transition(complaint=card, name="reopen_for_message", actor=responsible, comment="Снова")
    assert card.clocks.filter(kind="decision", met_at__isnull=True, stopped_at__isnull=True).exists()


# ---------------------------------------------------------------------------------------------
# Handled, keep closed


@pytest.mark.parametrize("who", ["responsible", "qms"])
def test_keep_closed_clears_the_flag_with_a_timeline_entry(request, walk, who):
    card = write(walk(None, S.CLOSED))
    actor = request.getfixturevalue(who)
    version = card.version
    complaint_keep_closed(complaint=card, actor=actor, text=" Ответили по телефону: это был вопрос. ")
    card = Complaint.objects.get(pk=card.pk)
    assert card.state == S.CLOSED and card.message_after_answer_at is None and card.message_after_answer is None
    assert card.version == version + 1
    note = card.events.get(code=KEPT_CLOSED)
    assert (note.kind, note.actor, note.text) == (EventKind.NOTE, actor, "Ответили по телефону: это был вопрос.")


def test_keep_closed_needs_a_message_waiting_and_a_reason(walk, responsible):
    card = walk(None, S.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        complaint_keep_closed(complaint=card, actor=responsible, text="Нечего")
    card = write(card)
    with pytest.raises(Exception, match="handled"):
        with translation.override("en"):
            complaint_keep_closed(complaint=card, actor=responsible, text="  ")
    assert Complaint.objects.get(pk=card.pk).message_after_answer_at is not None


@pytest.mark.parametrize("who", ["executor", "operator", "manager", "responsible2"])
def test_others_may_not_keep_it_closed(request, walk, who):
    card = write(walk(None, S.CLOSED))
    with pytest.raises(AccessDenied):
        complaint_keep_closed(complaint=card, actor=request.getfixturevalue(who), text="Закрыто")
    assert Complaint.objects.get(pk=card.pk).message_after_answer_at is not None


def test_the_card_page_shows_the_message_and_keeps_it_closed(client, walk, responsible):
    card = write(walk(None, S.CLOSED), "Чайник снова течёт")
    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    page = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert 'id="after-answer"' in page and "Чайник снова течёт" in page
    assert 'data-transition="reopen_for_message"' in page
    response = client.post(reverse("complaints:keep_closed", args=[card.number]), {"keep-text": "Позвонили"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=card.pk).message_after_answer_at is None
    page = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert 'id="after-answer"' not in page and "the card stays as it is" in page


# ---------------------------------------------------------------------------------------------
# Reopened by the rule: AMENDS_REOPEN_WITHIN_DAYS


def answered_days_ago(card, days) -> Complaint:
    Complaint.objects.filter(pk=card.pk).update(answered_at=timezone.now() - timedelta(days=days))
    return Complaint.objects.get(pk=card.pk)


@pytest.mark.parametrize("state", [S.ANSWERED, S.CLOSED])
def test_within_the_days_the_card_reopens_by_itself_naming_the_rule(settings, walk, state):
    settings.AMENDS_REOPEN_WITHIN_DAYS = 7
    settings.LANGUAGE_CODE = "en"  # the system writes in the company's language
    card = answered_days_ago(walk(None, state), 6)
    with translation.override("hy"):  # the customer's page
        card = write(card)
    assert card.state == S.INVESTIGATING and card.message_after_answer_at is None
    move = card.events.filter(kind=EventKind.TRANSITION).last()
    assert (move.transition, move.actor, move.from_state) == ("reopen_for_message", None, state)
    assert "within 7 days of the answer" in move.text and "AMENDS_REOPEN_WITHIN_DAYS" in move.text
    assert move.pk > card.events.get(kind=EventKind.MESSAGE_IN).pk  # the message, then the reopening


def test_after_the_days_the_card_is_only_flagged(settings, walk):
    settings.AMENDS_REOPEN_WITHIN_DAYS = 7
    card = write(answered_days_ago(walk(None, S.CLOSED), 8))
    assert card.state == S.CLOSED and card.message_after_answer_at is not None


def test_by_default_nothing_reopens_by_itself(walk):
    card = write(answered_days_ago(walk(None, S.CLOSED), 0))
    assert card.state == S.CLOSED and card.message_after_answer_at is not None


# ---------------------------------------------------------------------------------------------
# The list: a marker column and a filter


def listed(client, query="") -> dict[str, bool]:
    """The listed cards' numbers, each with whether its row carries the marker."""
    html = BeautifulSoup(client.get(reverse("complaints:list") + query).content, "html.parser")
    return {
        row.select_one("td.number").get_text(strip=True): row.select_one("td.after_answer .after-answer") is not None
        for row in html.select("table.complaints tbody tr") if row.select_one("td.number")
    }


def test_the_list_marks_and_filters_the_cards_the_customer_wrote_to(client, walk, qms):
    flagged = write(walk(None, S.CLOSED))
    quiet = walk(None, S.CLOSED)
    open_card = write(walk(None, S.INVESTIGATING))
    client.force_login(qms)
    assert listed(client) == {flagged.number: True, quiet.number: False, open_card.number: False}
    assert listed(client, "?after_answer=waiting") == {flagged.number: True}
    complaint_keep_closed(complaint=flagged, actor=qms, text="Ответили")
    assert listed(client, "?after_answer=waiting") == {}
