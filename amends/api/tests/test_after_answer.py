"""The customer's message after the answer through the API: the card says since when, and the
`reopen_for_message` step is the UI's, with the same rights."""

import pytest

from amends.complaints.choices import EventKind, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_add_message, complaint_transition

from .helpers import url
from .test_transitions import step


@pytest.fixture
def closed_card(decided_unjustified, responsible):
    card = complaint_transition(complaint=decided_unjustified, name="answer", actor=responsible,
                                data={"answer_text": "Претензия не подтвердилась."})
    return complaint_transition(complaint=card, name="close", actor=responsible,
                                data={"satisfaction": 5, "loyalty": "stays"})


def test_the_card_says_the_customer_wrote_and_offers_the_reopening(api, closed_card, responsible):
    assert api(responsible).get(url(closed_card)).json()["message_after_answer_at"] is None
    complaint_add_message(complaint=closed_card, incoming=True, text="Не согласна")
    data = api(responsible).get(url(closed_card)).json()
    assert data["message_after_answer_at"] is not None
    assert data["available_transitions"] == ["reopen_for_message"]


def test_the_responsible_person_reopens_for_the_message(api, closed_card, responsible):
    complaint_add_message(complaint=closed_card, incoming=True, text="Не согласна")
    response = step(api(responsible), closed_card, "reopen_for_message", comment="Проверим ещё раз")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.INVESTIGATING and response.json()["message_after_answer_at"] is None
    event = closed_card.events.filter(kind=EventKind.TRANSITION).last()
    assert (event.transition, event.actor, event.text) == ("reopen_for_message", responsible, "Проверим ещё раз")


def test_the_reopening_needs_the_message_a_reason_and_the_right_person(
    api, closed_card, responsible, executor, operator,
):
    refused = step(api(responsible), closed_card, "reopen_for_message", comment="Хочу")
    assert refused.status_code == 409 and "has not written since the answer" in refused.json()["detail"]
    complaint_add_message(complaint=closed_card, incoming=True, text="Не согласна")
    assert step(api(responsible), closed_card, "reopen_for_message").status_code == 400  # no reason
    assert step(api(executor), closed_card, "reopen_for_message", comment="Хочу").status_code == 404  # not theirs
    assert step(api(operator), closed_card, "reopen_for_message", comment="Хочу").status_code == 403
    assert Complaint.objects.get(pk=closed_card.pk).state == State.CLOSED
