"""The list's "my cards": the cards tied to the user themselves, as fits their role."""

import pytest
from django.urls import reverse

from amends.complaints.choices import State
from amends.complaints.selectors import ComplaintFilter, complaint_list
from amends.complaints.services import complaint_transition


def mine(user) -> set[str]:
    return {c.number for c in complaint_list(user, ComplaintFilter(mine=True))}


@pytest.fixture
def cards(register, walk, qms, responsible, responsible2, operator2):
    """One card for each tie: assigned to `responsible`, with a measure of `executor`, registered by
    `operator2`, assigned to the QMS head, registered by the QMS head, and one nobody above holds."""
    to_responsible = register()
    complaint_transition(complaint=to_responsible, name="assign", actor=qms, data={"responsible": responsible})
    with_measure = walk(register(), State.IN_PROGRESS)  # `responsible` too; `executor` carries its measure
    by_operator2 = register(actor=operator2)
    to_qms = register()
    complaint_transition(complaint=to_qms, name="assign", actor=qms, data={"responsible": qms})
    by_qms = register(actor=qms)
    someone_elses = register()
    complaint_transition(complaint=someone_elses, name="assign", actor=qms, data={"responsible": responsible2})
    return {
        "to_responsible": to_responsible.number, "with_measure": with_measure.number,
        "by_operator2": by_operator2.number, "to_qms": to_qms.number, "by_qms": by_qms.number,
        "someone_elses": someone_elses.number,
    }


def test_my_cards_per_role(cards, qms, responsible, executor, operator, operator2, manager):
    # The QMS head sees every card, but theirs are those they carry or registered.
    assert mine(qms) == {cards["to_qms"], cards["by_qms"]}
    assert mine(responsible) == {cards["to_responsible"], cards["with_measure"]}
    assert mine(executor) == {cards["with_measure"]}
    assert mine(operator2) == {cards["by_operator2"]}
    # The `operator` fixture registered the rest.
    assert mine(operator) == {cards["to_responsible"], cards["with_measure"], cards["to_qms"], cards["someone_elses"]}
    assert mine(manager) == set()  # a manager reads everything and carries nothing


def test_my_cards_through_the_list(client, cards, qms, responsible):
    client.force_login(qms)
    everything = client.get(reverse("complaints:list"))
    assert everything.context["page"].paginator.count == 6
    response = client.get(reverse("complaints:list"), {"mine": "on"})
    assert {c.number for c in response.context["page"]} == {cards["to_qms"], cards["by_qms"]}
    assert 'name="mine"' in response.content.decode()
    client.force_login(responsible)
    response = client.get(reverse("complaints:list"), {"mine": "on", "state": State.ASSIGNED})
    assert [c.number for c in response.context["page"]] == [cards["to_responsible"]]
