from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.accounts.models import User
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_transition

from .deadline_fixtures import ANALYSIS_BREACHED, msk, planned

pytestmark = pytest.mark.usefixtures("english")


def english_readers() -> None:
    """The pages speak the reader's language: English, the source's."""
    User.objects.update(language="en")


def page(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def cells(row) -> list[str]:
    return [" ".join(td.get_text(" ", strip=True).split()) for td in row.select("td")]


def test_my_deadlines_shows_a_records_deadlines_linked_to_it_and_still_the_cards(
    client, frozen, record_opened, register, qms, responsible, executor,
):
    record = record_opened()
    planned(record, executor, date(2026, 3, 20))
    card = register(channel=Channel.EMAIL)
    complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    frozen(ANALYSIS_BREACHED)
    english_readers()
    client.force_login(responsible)
    rows = page(client.get(reverse("deadlines:mine"))).select("tr.deadline")
    cards = [row for row in rows if row.get("data-complaint") == card.number]
    assert cards and cards[0].a["href"] == reverse("complaints:detail", args=[card.number])
    records = [row for row in rows if not row.get("data-complaint")]
    assert [cells(row)[:3] for row in records] == [
        [f"{record.number} Batteries lose capacity", "Root cause analysis", "12 Mar 2026"],
        [f"{record.number} Batteries lose capacity", "Actions planned", "1 Apr 2026"],
    ]
    assert records[0]["data-status"] == "breached"
    assert records[0].a["href"] == reverse("capa:record", args=[record.number])
    # The action's owner sees its due date; nobody else's records.
    client.force_login(executor)
    rows = page(client.get(reverse("deadlines:mine"))).select("tr.deadline")
    assert [cells(row)[1] for row in rows] == ["Action: Incoming inspection of batteries"]
    client.force_login(qms)
    assert not page(client.get(reverse("deadlines:mine"))).select("tr.deadline")


def test_my_deadlines_costs_the_same_for_more_records(client, record_opened, responsible, executor):
    def add(count: int) -> None:
        for _ in range(count):
            record = record_opened()
            planned(record, executor, date(2026, 3, 20))
            planned(record, responsible, date(2026, 3, 25), status="done", done_at=msk(2026, 3, 3))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("deadlines:mine"))
        return len(captured)

    client.force_login(responsible)
    add(1)
    client.get(reverse("deadlines:mine"))
    few = queries()
    add(6)
    assert len(page(client.get(reverse("deadlines:mine"))).select("tr.deadline")) == 7 * 3
    assert queries() == few


def test_the_record_page_has_a_deadlines_section(client, record_opened, responsible, executor, make_user):
    record = record_opened()
    url = reverse("capa:record", args=[record.number])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    english_readers()
    client.force_login(responsible)
    planned(record, executor, date(2026, 3, 20))
    client.get(url)
    few = queries()
    for _ in range(5):
        planned(record, executor, date(2026, 3, 20), status="done", done_at=msk(2026, 3, 3))
    section = page(client.get(url)).select_one("section#deadlines")
    rows = section.select("tr.deadline")
    assert cells(rows[0])[0] == "Root cause analysis" and rows[0]["data-status"] == "on_track"
    assert len(rows) == 2 + 6 + 5  # analysis, plan, six actions, five checks
    assert queries() == few
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 404
