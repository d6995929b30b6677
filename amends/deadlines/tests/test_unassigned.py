"""My deadlines of the head of the QMS include the open cards nobody is responsible for yet."""

from datetime import timedelta

from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.complaints.choices import Channel, State
from amends.complaints.services import complaint_transition
from amends.deadlines.selectors import unassigned_cards

from .conftest import msk

WEDNESDAY = msk(2025, 3, 12, 10)


def unassigned_rows(client, user) -> list[str]:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    response = client.get(reverse("deadlines:mine"))
    assert response.status_code == 200
    return [row["data-complaint"] for row in BeautifulSoup(response.content, "html.parser").select("#unassigned tr")
            if row.get("data-complaint")]


def test_the_head_of_the_qms_sees_the_unassigned_cards_oldest_first_with_their_due(
    client, frozen, register, walk, qms, responsible,
):
    frozen(WEDNESDAY)
    older = register(channel=Channel.EMAIL, received_at=WEDNESDAY - timedelta(hours=3))
    newer = register(channel=Channel.SOCIAL, received_at=WEDNESDAY - timedelta(hours=1))
    assigned = register()
    complaint_transition(complaint=assigned, name="assign", actor=qms, data={"responsible": responsible})
    walk(register(), State.WITHDRAWN)  # final: nothing to assign

    found = unassigned_cards(qms, now=WEDNESDAY)
    assert [u.complaint.number for u in found] == [older.number, newer.number]
    assert found[0].deadline is not None
    assert found[0].deadline.due_at == min(c.due_at for c in older.clocks.filter(met_at__isnull=True))

    assert unassigned_rows(client, qms) == [older.number, newer.number]
    section = BeautifulSoup(client.get(reverse("deadlines:mine")).content, "html.parser").select_one("#unassigned")
    assert "Not assigned yet" in section.h2.get_text()
    assert section.select_one("tr[data-complaint] time")["datetime"]  # the due is shown


def test_nobody_else_is_shown_unassigned_cards(client, register, operator, responsible, executor, manager):
    register()
    for user in (operator, responsible, executor, manager):
        assert unassigned_cards(user) == []
        assert unassigned_rows(client, user) == []


def test_the_unassigned_section_costs_the_same_for_more_cards(client, register, qms):
    register(channel=Channel.EMAIL)
    client.force_login(qms)
    client.get(reverse("deadlines:mine"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("deadlines:mine"))
    for _ in range(4):
        register(channel=Channel.SOCIAL)
    assert len(unassigned_rows(client, qms)) == 5
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("deadlines:mine"))
    assert len(many) == len(few)
