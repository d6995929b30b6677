"""The card's collapsed forms rendered only when opened (card_page.register_fragment): the card holds a
placeholder, the fragment URL the form, `?open=` and a form with errors the form in full."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from amends.complaints.card_page import FRAGMENTS
from amends.complaints.choices import Justification, State
from amends.complaints.models import Complaint, Measure


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def card_url(complaint) -> str:
    return reverse("complaints:detail", args=[complaint.number])


def fragment_url(complaint, name: str) -> str:
    return reverse("complaints:card_fragment", args=[complaint.number, name])


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@translation.override("en")  # its summary is asserted in English
def test_the_card_holds_the_summary_and_a_placeholder_the_fragment_url_the_form(client, qms, complaint):
    client.force_login(qms)
    page = soup(client.get(card_url(complaint)))
    holder = page.select_one("details > #fragment-edit")
    assert holder["data-fragment"] == fragment_url(complaint, "edit")
    assert holder.a["href"] == f"{card_url(complaint)}?open=edit#fragment-edit"  # without JavaScript
    assert holder.parent.summary.get_text() == "Edit the card" and not holder.parent.has_attr("open")
    assert not holder.parent.select("form") and not page.select("[name=wording]")

    response = client.get(fragment_url(complaint, "edit"))
    assert response.status_code == 200
    fetched = soup(response).select_one("#fragment-edit")
    assert fetched.form["action"] == reverse("complaints:edit", args=[complaint.number])
    assert fetched.select_one("[name=csrfmiddlewaretoken]") and fetched.select_one("textarea[name=wording]")


def test_asked_for_with_open_the_card_shows_the_form_in_full_and_open(client, qms, complaint):
    client.force_login(qms)
    page = soup(client.get(card_url(complaint), {"open": "edit"}))
    details = page.select_one("#fragment-edit").parent
    assert details.has_attr("open") and details.select_one("#fragment-edit form textarea[name=wording]")
    assert not details.select_one("[data-fragment]")
    # Another fragment stays closed; an unknown name opens nothing.
    assert page.select_one("#fragment-nc-open")["data-fragment"]
    assert soup(client.get(card_url(complaint), {"open": "nothing"})).select_one("#fragment-edit")["data-fragment"]


@translation.override("en")  # its messages are asserted in English
def test_a_post_with_errors_shows_the_card_with_the_form_open_and_what_was_typed(client, qms, complaint):
    client.force_login(qms)
    response = client.post(reverse("complaints:edit", args=[complaint.number]), {
        "version": complaint.version, "wording": "Typed, then the date lost", "received_at": "",
        "channel": complaint.channel, "origin": complaint.origin, "importance": complaint.importance,
        "request_type": complaint.request_type,
    })
    assert response.status_code == 400
    details = soup(response).select_one("#fragment-edit").parent
    assert details.has_attr("open")
    assert details.select_one("textarea[name=wording]").get_text().strip() == "Typed, then the date lost"
    assert "This field is required." in details.get_text()


def shown(complaint, name: str, executor) -> str:
    """The fragment's name on the card: a keyed one (a measure's) with the key of a measure of it."""
    if not FRAGMENTS[name].keyed:
        return name
    measure = Measure.objects.create(complaint=complaint, description="Заменить", executor=executor,
                                     due_date=timezone.localdate() + timedelta(days=5))
    return f"{name}-{measure.pk}"


@pytest.mark.parametrize("fragment", sorted(FRAGMENTS))
def test_the_fragment_answers_as_the_card_does(client, complaint, qms, manager, nobody, executor, fragment):
    # Decided, justified: every fragment has a form for the head of the QMS (a letter, measures).
    Complaint.objects.filter(pk=complaint.pk).update(state=State.DECIDED, justification=Justification.JUSTIFIED)
    name = shown(complaint, fragment, executor)
    url = fragment_url(complaint, name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(nobody)  # may not see the card: the same 404 as the card's
    assert client.get(card_url(complaint)).status_code == client.get(url).status_code == 404
    client.force_login(manager)  # sees the card, may not write on it: nothing in the fragment
    assert client.get(card_url(complaint)).status_code == 200
    response = client.get(url)
    assert response.status_code == 200 and not soup(response).select_one(f"#fragment-{name}").get_text(strip=True)
    client.force_login(qms)
    assert soup(client.get(url)).select_one(f"#fragment-{name}").get_text(strip=True)


def test_an_unknown_fragment_or_key_is_404(client, qms, complaint, register, executor):
    other = register()
    foreign = shown(other, "promote", executor)
    client.force_login(qms)
    assert client.get(fragment_url(other, foreign)).status_code == 200
    for name in ("nothing", "promote", "promote-x", "edit-1", foreign):  # another card's measure
        assert client.get(fragment_url(complaint, name)).status_code == 404, name


def queries(client, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured)


def test_the_card_asks_less_than_with_its_forms_rendered(client, qms, complaint, executor):
    names = [shown(complaint, name, executor) for name in FRAGMENTS]  # a measure for the keyed one
    client.force_login(qms)
    closed = queries(client, card_url(complaint))
    opened = sum(queries(client, card_url(complaint), {"open": name}) - closed for name in names)
    # The edit form's lists, the nonconformity forms' records, people, products and suppliers.
    assert opened >= 10
    # Before, with every form rendered on the card, it asked 54 times for this card.
    assert closed <= 54 - 10


@translation.override("en")  # its messages are asserted in English
def test_the_first_measure_form_is_on_the_card_the_next_fetched(client, qms, complaint, executor):
    Complaint.objects.filter(pk=complaint.pk).update(state=State.DECIDED, justification=Justification.JUSTIFIED)
    client.force_login(qms)
    page = soup(client.get(card_url(complaint)))
    assert page.select_one("#fragment-measure:not([data-fragment]) form.measure-form")
    assert page.select_one("#fragment-measure").parent.has_attr("open")
    shown(complaint, "promote", executor)  # a measure
    page = soup(client.get(card_url(complaint)))
    assert page.select_one("#fragment-measure[data-fragment]") and not page.select("form.measure-form")
    response = client.post(reverse("complaints:measure_add", args=[complaint.number]), {"description": "Позвонить"})
    assert response.status_code == 400
    details = soup(response).select_one("#fragment-measure").parent
    assert details.has_attr("open") and "This field is required." in details.get_text()
    assert details.select_one("textarea[name=description]").get_text().strip() == "Позвонить"


@pytest.mark.parametrize("fragment", sorted(FRAGMENTS))
def test_each_fragment_asked_for_is_rendered_open_on_the_card(client, complaint, qms, executor, fragment):
    Complaint.objects.filter(pk=complaint.pk).update(state=State.DECIDED, justification=Justification.JUSTIFIED)
    Measure.objects.create(complaint=complaint, description="Позвонить", executor=executor,
                           due_date=timezone.localdate() + timedelta(days=3))  # "another measure"
    name = shown(complaint, fragment, executor)
    client.force_login(qms)
    holder = soup(client.get(card_url(complaint), {"open": name})).select_one(f"#fragment-{name}")
    assert not holder.has_attr("data-fragment") and holder.get_text(strip=True)
    assert holder.parent.name == "details" and holder.parent.has_attr("open")
