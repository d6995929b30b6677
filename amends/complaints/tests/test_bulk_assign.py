"""Bulk assign: the head of the QMS gives several cards one responsible person, each card through
the ordinary assign step; cards that cannot take it are skipped and named with the reason."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from amends.complaints.choices import EventKind, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_transition, complaints_assign
from amends.core.errors import AccessDenied
from amends.deadlines.models import Clock


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def post(client, numbers, responsible, query=""):
    return client.post(reverse("complaints:bulk_assign"), {
        "bulk-cards": numbers, "bulk-responsible": responsible.pk, "bulk-query": query,
    })


def test_the_qms_head_assigns_several_cards_each_through_the_assign_step(
    client, qms, responsible, responsible2, register, walk,
):
    first, second = register(), register()
    reassigned = register()
    complaint_transition(complaint=reassigned, name="assign", actor=qms, data={"responsible": responsible})
    already = register()
    complaint_transition(complaint=already, name="assign", actor=qms, data={"responsible": responsible2})
    investigating = walk(register(), State.INVESTIGATING)  # `responsible`'s, past the assign step
    client.force_login(qms)
    numbers = [first.number, second.number, reassigned.number, already.number, investigating.number, "2099-999999"]
    response = post(client, numbers, responsible2, query="state=registered&page=2")
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:list") + "?state=registered"

    for card in (first, second, reassigned):
        card.refresh_from_db()
        assert (card.state, card.responsible) == (State.ASSIGNED, responsible2)
        # The step's own work: the timeline entry and the clocks of an assigned card.
        assert TimelineEvent.objects.filter(
            complaint=card, kind=EventKind.TRANSITION, transition="assign", actor=qms,
        ).count() == (2 if card == reassigned else 1)
    assert Clock.objects.filter(complaint=first).exists()
    investigating.refresh_from_db()
    assert (investigating.state, investigating.responsible) == (State.INVESTIGATING, responsible)
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[0] == f"3 cards assigned to Responsible2: {first.number}, {second.number}, {reassigned.number}."
    assert texts[1].startswith("3 cards skipped: ")
    assert f"{already.number} — already assigned to Responsible2" in texts[1]
    assert f"{investigating.number} — This action is not possible in the state “Investigating”;" in texts[1]
    assert texts[1].endswith("2099-999999 — no such complaint.")
    assert ".." not in texts[1] and ".;" not in texts[1]


@pytest.mark.parametrize("role", ["operator", "responsible", "executor", "manager"])
def test_only_the_head_of_the_qms_assigns_in_bulk(client, request, role, register, responsible):
    user = request.getfixturevalue(role)
    card = register()
    client.force_login(user)
    assert post(client, [card.number], responsible).status_code == 403
    with pytest.raises(AccessDenied):
        complaints_assign(actor=user, numbers=[card.number], responsible=responsible)
    card.refresh_from_db()
    assert (card.state, card.responsible) == (State.REGISTERED, None)
    assert 'id="bulk-assign"' not in client.get(reverse("complaints:list")).content.decode()


def test_the_list_offers_the_qms_head_checkboxes_and_the_loaded_picker(client, qms, responsible, register):
    card = register()
    client.force_login(qms)
    page = client.get(reverse("complaints:list")).content.decode()
    assert 'id="bulk-assign"' in page
    assert f'name="bulk-cards" value="{card.number}" form="list-selection"' in page
    assert "Responsible — 0 open" in page


def test_a_wrong_person_or_no_card_is_refused_by_the_form(client, qms, executor, responsible, register):
    card = register()
    client.force_login(qms)
    response = post(client, [card.number], executor)  # not a responsible person: not offered
    assert "Select a valid choice" in str(list(get_messages(response.wsgi_request))[0])
    response = post(client, [], responsible)
    assert "Select the cards first." in str(list(get_messages(response.wsgi_request))[-1])
    assert Complaint.objects.get(pk=card.pk).state == State.REGISTERED
