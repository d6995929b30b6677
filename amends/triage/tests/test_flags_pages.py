"""The flags on the pages: the card's panel, and the list's strip and filter."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.accounts.roles import Role
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register, complaint_transition
from amends.triage.flag_pages import STRIP_SIZE


@pytest.fixture(autouse=True)
def english(client):
    """The default UI language is Russian; the pages are asserted in their English source."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def register(actor, wording: str):
    return complaint_register(actor=actor, channel=Channel.PHONE, wording=wording)


def text(node) -> str:
    return " ".join(node.get_text(" ").replace("\xa0", " ").split()) if node else ""


def get(client, user, url: str) -> BeautifulSoup:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_card_shows_its_flags_and_the_two_parts(client, operator, qms):
    card = register(operator, "Заказ 555 не доставлен. Прошу вернуть деньги. Это беспредел, подам в суд!")
    panel = get(client, qms, reverse("complaints:detail", args=[card.number])).select_one("#triage-flags")
    flags = [text(li) for li in panel.select("ul.flags li")]
    assert flags == ["Angry because of: беспредел", "Court or lawyer because of: подам в суд",
                     "Negative emotion because of: беспредел; вернуть"]
    assert [text(p) for p in panel.select(".rational-part p")] == ["Заказ 555 не доставлен.", "Прошу вернуть деньги."]
    assert [text(p) for p in panel.select(".emotional-part p")] == ["Это беспредел, подам в суд!"]


def test_the_card_reads_its_flags_labels_and_suggestions_without_joining_the_cards(client, operator, qms):
    card = register(operator, "Это беспредел, подам в суд!")
    client.force_login(qms)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("complaints:detail", args=[card.number])).status_code == 200
    triage = [q["sql"] for q in queries if q["sql"].startswith('SELECT "triage_') and "complaint_id" in q["sql"]]
    assert len(triage) == 3  # the suggestions, the flags, the negative flag's label
    assert not [sql for sql in triage if 'JOIN "complaints_complaint"' in sql]


def test_a_card_without_flags_says_so(client, operator, qms):
    card = register(operator, "Доставка опоздала на три дня.")
    panel = get(client, qms, reverse("complaints:detail", args=[card.number])).select_one("#triage-flags")
    assert "No flags" in text(panel)
    assert [text(p) for p in panel.select(".rational-part p")] == ["Доставка опоздала на три дня."]


def test_flagged_open_cards_lead_the_list_in_a_strip(client, operator, qms):
    plain = register(operator, "Доставка опоздала.")
    court = register(operator, "Подам в суд.")
    fire = register(operator, "Чайник загорелся.")
    closed = register(operator, "Вы мошенники.")
    complaint_transition(complaint=closed, name="withdraw", actor=qms, comment="Отозвана")
    strip = get(client, qms, reverse("complaints:list")).select_one("#needs-attention")
    rows = [text(li) for li in strip.select("li")]
    # The newest flagged first; neither the plain card nor the withdrawn one.
    assert [row.split()[0] for row in rows] == [fire.number, court.number]
    assert "Health or safety risk" in rows[0] and "Critical" in rows[0]
    assert "Court or lawyer" in rows[1] and "High" in rows[1]
    assert plain.number not in text(strip)


def test_the_strip_shows_only_cards_the_user_may_see(client, operator, make_user):
    register(operator, "Подам в суд.")
    stranger = make_user("stranger", Role.EXECUTOR)
    assert get(client, stranger, reverse("complaints:list")).select_one("#needs-attention") is None


def test_the_strip_stops_and_links_to_all_flagged(client, operator, qms):
    for n in range(STRIP_SIZE + 1):
        register(operator, f"Заказ {n}: подам в суд.")
    strip = get(client, qms, reverse("complaints:list")).select_one("#needs-attention")
    assert len(strip.select("li")) == STRIP_SIZE
    assert strip.select_one("a[href^='?flag=any']") is not None


def test_the_filter(client, operator, qms):
    register(operator, "Доставка опоздала.")
    court = register(operator, "I will sue you.")
    listed = get(client, qms, reverse("complaints:list") + "?flag=legal")
    numbers = [text(a) for a in listed.select("table.complaints td.number a")]
    assert numbers == [court.number]


def test_the_list_queries_do_not_grow_with_flagged_cards(client, operator, qms, django_assert_max_num_queries):
    for n in range(3):
        register(operator, f"Заказ {n}: подам в суд, это беспредел.")
    client.force_login(qms)
    client.get(reverse("complaints:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:list"))
    for n in range(10):
        register(operator, f"Карточка {n}: напишу в Роспотребнадзор!")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("complaints:list"))
