"""Lifecycle steps through the API: the names, rules and role checks of the UI's buttons."""

import pytest

from amends.complaints.choices import Channel, EventKind, Justification, Loyalty, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_register

from .helpers import url


def step(client, complaint, transition, **data):
    return client.post(url(complaint, "transitions"), {"transition": transition, **data}, format="json")


def unchanged(complaint) -> tuple:
    return (
        Complaint.objects.filter(pk=complaint.pk).values().get(),
        TimelineEvent.objects.filter(complaint_id=complaint.pk).count(),
    )


def test_qms_head_assigns_the_responsible_person(api, qms, responsible, complaint):
    response = step(api(qms), complaint, "assign", responsible=responsible.pk, comment="Срочно")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == State.ASSIGNED and data["responsible"]["id"] == responsible.pk
    assert data["version"] == complaint.version + 1
    event = complaint.events.get(kind=EventKind.TRANSITION)
    assert (event.transition, event.actor, event.text) == ("assign", qms, "Срочно")


def test_unjustified_complaint_goes_from_registration_to_closed(api, qms, responsible, complaint, cause):
    boss, owner = api(qms), api(responsible)
    assert step(boss, complaint, "assign", responsible=responsible.pk).status_code == 200
    assert step(owner, complaint, "investigate").status_code == 200
    decided = step(owner, complaint, "decide", justification=Justification.UNJUSTIFIED,
                   opinion="Доставка была в срок.", cause=cause.pk, importance="low")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["cause"]["id"] == cause.pk and decided.json()["importance"] == "low"
    assert step(owner, complaint, "answer", answer_text="Претензия не подтвердилась.").status_code == 200
    closed = step(owner, complaint, "close", satisfaction=6, loyalty=Loyalty.STAYS, time_spent_minutes=45)
    assert closed.status_code == 200, closed.json()
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED
    assert (complaint.satisfaction, complaint.loyalty, complaint.time_spent_minutes) == (6, Loyalty.STAYS, 45)
    assert closed.json()["available_transitions"] == []


def test_a_transition_by_the_wrong_role_is_403(api, operator, responsible, complaint):
    before = unchanged(complaint)
    response = step(api(operator), complaint, "assign", responsible=responsible.pk)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "may not “Assign responsible”" in response.json()["detail"]
    assert unchanged(complaint) == before


def test_a_transition_in_the_wrong_state_is_409(api, qms, complaint):
    before = unchanged(complaint)
    response = step(api(qms), complaint, "answer", answer_text="Ответ")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This action is not possible in the state “Registered”.", "code": "transition_not_allowed",
    }
    assert unchanged(complaint) == before


def test_a_blocked_transition_gives_its_reason(api, responsible, decided_unjustified):
    response = step(api(responsible), decided_unjustified, "plan")
    assert response.status_code == 409
    assert "justified" in response.json()["detail"]


def test_a_stale_version_is_409(api, qms, responsible, complaint):
    stale = complaint.version
    assert step(api(qms), complaint, "assign", responsible=responsible.pk, version=stale).status_code == 200
    response = step(api(qms), complaint, "assign", responsible=responsible.pk, version=stale)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"


def test_missing_data_is_400_per_field(api, qms, responsible, investigating):
    response = step(api(qms), investigating, "decide")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"justification", "opinion", "cause"}
    assert step(api(qms), investigating, "withdraw").json()["errors"] == {"comment": ["Give the reason."]}


def test_the_service_checks_who_can_be_responsible(api, qms, operator, complaint):
    response = step(api(qms), complaint, "assign", responsible=operator.pk)
    assert response.status_code == 400
    assert response.json()["errors"] == {"responsible": ["Operator is not a responsible person."]}


@pytest.mark.parametrize("data, field", [
    ({"transition": "escalate"}, "transition"),
    ({"transition": "assign", "responsible": 987654}, "responsible"),
    ({"transition": "close", "satisfaction": 11}, "satisfaction"),
    ({"transition": "close", "loyalty": "maybe"}, "loyalty"),
    ({"transition": "assign", "version": "new"}, "version"),
    ({}, "transition"),
])
def test_malformed_input_is_400(api, qms, complaint, data, field):
    response = api(qms).post(url(complaint, "transitions"), data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_data_of_other_transitions_is_ignored(api, qms, responsible, complaint):
    response = step(api(qms), complaint, "assign", responsible=responsible.pk, answer_text="Не сюда")
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.answer_text == ""


def test_mark_duplicate_by_the_registering_operator(api, operator, complaint, contact):
    from amends.complaints.choices import Channel
    from amends.complaints.services import complaint_register

    second = complaint_register(actor=operator, channel=Channel.EMAIL, wording="Та же", contact=contact)
    response = step(api(operator), second, "mark_duplicate", original_number=complaint.number)
    assert response.status_code == 200
    assert response.json()["duplicate_of"] == complaint.number
    assert response.json()["state"] == State.DUPLICATE


def test_an_invisible_card_is_404(api, responsible, complaint):
    assert step(api(responsible), complaint, "investigate").status_code == 404


def test_the_qms_head_unmarks_a_wrongly_marked_duplicate_with_a_reason(api, qms, operator, contact):
    original, duplicate = (
        complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=wording)
        for wording in ("Оригинал", "Повтор")
    )
    assert step(api(operator), duplicate, "mark_duplicate", original_number=original.number).status_code == 200
    assert step(api(operator), duplicate, "unmark_duplicate", comment="Нет.").status_code == 403
    missing = step(api(qms), duplicate, "unmark_duplicate")
    assert missing.status_code == 400 and missing.json()["errors"] == {"comment": ["Give the reason."]}
    response = step(api(qms), duplicate, "unmark_duplicate", comment="Другой заказ, другая поломка.")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.REGISTERED
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of is None
    assert duplicate.events.filter(kind=EventKind.TRANSITION).last().text == "Другой заказ, другая поломка."
