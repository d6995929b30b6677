"""The complaint list's selection: ticked cards opened into a nonconformity or linked to one
(capa:from_list), by the QMS head or the responsible person for their own cards."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from amends.capa.choices import NonconformityState, Source
from amends.capa.models import Nonconformity
from amends.capa.nonconformities import nonconformity_open
from amends.complaints.choices import State


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def post(client, numbers, do="open", title="", record=None, query=""):
    return client.post(reverse("capa:from_list"), {
        "bulk-cards": numbers, "bulk-do": do, "bulk-nc_title": title,
        "bulk-nc_record": record.pk if record else "", "bulk-query": query,
    })


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_list_offers_the_selection_to_the_responsible_person(client, classified, responsible):
    card = classified(responsible=responsible)
    client.force_login(responsible)
    html = client.get(reverse("complaints:list")).content.decode()
    assert f'name="bulk-cards" value="{card.number}" form="list-selection"' in html
    assert 'id="nc-from-list"' in html and reverse("capa:from_list") in html
    assert 'id="bulk-assign"' not in html  # assigning in bulk stays the QMS head's


def test_the_qms_head_has_both_actions_in_one_selection_form(client, qms):
    client.force_login(qms)
    html = client.get(reverse("complaints:list")).content.decode()
    assert html.count('id="list-selection"') == 1
    assert 'id="nc-from-list"' in html and 'id="bulk-assign"' in html


@pytest.mark.parametrize("role", ["operator", "executor", "manager"])
def test_others_get_no_ticks_and_403(client, make_user, classified, role):
    user = make_user(f"as_{role}", role)
    card = classified(registered_by=user)
    client.force_login(user)
    html = client.get(reverse("complaints:list")).content.decode()
    assert 'name="bulk-cards"' not in html and "nc-from-list" not in html
    assert post(client, [card.number], title="Батареи").status_code == 403
    assert not Nonconformity.objects.exists()


def test_the_qms_head_opens_one_from_the_selected_and_goes_to_it(client, classified, qms, product, supplier):
    first = classified(product=product, supplier=supplier)
    second = classified(product=product)
    client.force_login(qms)
    response = post(client, [first.number, second.number, first.number], title="Батареи теряют ёмкость")
    record = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("capa:record", args=[record.number])
    assert (record.source, record.title, record.product, record.supplier) == (
        Source.CARDS, "Батареи теряют ёмкость", product, None)
    assert set(record.complaints.all()) == {first, second}
    assert messages_of(response) == [f"Nonconformity {record.number} opened from 2 complaints."]


def test_the_responsible_person_links_their_cards_and_goes_back_to_the_list(client, classified, responsible, qms):
    mine = [classified(responsible=responsible), classified(responsible=responsible)]
    record = nonconformity_open(actor=qms, title="Батареи")
    client.force_login(responsible)
    response = post(client, [c.number for c in mine], do="link", record=record, query="state=investigating&page=3")
    assert response["Location"] == reverse("complaints:list") + "?state=investigating"
    assert set(record.complaints.all()) == set(mine)
    assert messages_of(response) == [f"2 complaints linked to the nonconformity {record.number}."]


def test_a_card_not_theirs_refuses_them_all(client, classified, responsible, make_user):
    mine = classified(responsible=responsible)
    # They see what they registered, but only its responsible person links it.
    theirs = classified(registered_by=responsible, responsible=make_user("other", "responsible"))
    client.force_login(responsible)
    response = post(client, [mine.number, theirs.number], title="Батареи")
    assert response.status_code == 302
    assert not Nonconformity.objects.exists()
    assert messages_of(response) == [
        f"Only their responsible person or the head of the QMS links these complaints: {theirs.number}."]


@pytest.mark.parametrize("state", [State.DUPLICATE, State.WITHDRAWN])
def test_a_duplicate_or_withdrawn_among_them_links_nothing(client, classified, qms, state):
    good, bad = classified(), classified(state=state)
    record = nonconformity_open(actor=qms, title="Батареи")
    client.force_login(qms)
    for response in (post(client, [good.number, bad.number], title="Новая"),
                     post(client, [good.number, bad.number], do="link", record=record)):
        assert response.status_code == 302
        assert bad.number in messages_of(response)[0]
    assert Nonconformity.objects.count() == 1 and not record.links.exists()


@pytest.mark.parametrize("data, message", [
    ({"numbers": [], "title": "Батареи"}, "Select the cards first."),
    ({"numbers": ["2099-999999"], "title": "Батареи"}, "No such complaint: 2099-999999."),
    ({"numbers": "own", "title": "  "}, "Give the new nonconformity a title."),
    ({"numbers": "own", "do": "link"}, "Choose the nonconformity to link them to."),
    ({"numbers": "own", "do": "link", "record": "closed"}, "Select a valid choice."),
    ({"numbers": "own", "do": "delete", "title": "Батареи"}, "Select a valid choice."),
])
def test_bad_input_says_why_and_links_nothing(client, classified, qms, data, message):
    card = classified()
    closed = nonconformity_open(actor=qms, title="Закрыта")
    Nonconformity.objects.filter(pk=closed.pk).update(state=NonconformityState.CLOSED)
    client.force_login(qms)
    numbers = [card.number] if data["numbers"] == "own" else data["numbers"]
    response = post(client, numbers, do=data.get("do", "open"), title=data.get("title", ""),
                    record=closed if data.get("record") else None)
    assert response.status_code == 302 and response["Location"] == reverse("complaints:list")
    assert message in messages_of(response)[0]
    assert Nonconformity.objects.count() == 1 and not closed.links.exists()
