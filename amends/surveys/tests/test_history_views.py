"""The customer's page: who may open it, and that it shows their cards with the closing record, K
through time (the line and the table) and the loyalty history as history.py reads it."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amends.accounts.roles import Role
from amends.surveys.access import can_see_customer

from .history_helpers import card_answered, card_closed, card_for, other, respond, story  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def page(user, contact):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get(reverse("surveys:customer", args=[contact.pk]))


def rows(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr data-[a-z]+=\"([^\"]+)\"", body)


@pytest.mark.parametrize("role", [Role.QMS_HEAD, Role.MANAGER, Role.ADMINISTRATOR])
def test_overseers_open_any_customers_page(make_user, contact, role):
    assert page(make_user("boss", role), contact).status_code == 200


def test_the_responsible_person_of_one_of_their_cards_opens_it_another_does_not(
    make_user, contact, operator, qms, responsible,
):
    card_answered(card_for(contact, operator, "Сломался насос."), qms, responsible)
    stranger = make_user("stranger", Role.RESPONSIBLE)
    assert page(responsible, contact).status_code == 200 and can_see_customer(responsible, contact)
    assert page(stranger, contact).status_code == 403 and not can_see_customer(stranger, contact)
    assert page(operator, contact).status_code == 403


def test_no_one_signed_in_is_sent_to_log_in_and_an_unknown_customer_is_404(client, qms, contact):
    assert client.get(reverse("surveys:customer", args=[contact.pk])).status_code == 302
    client.force_login(qms)
    assert client.get(reverse("surveys:customer", args=[contact.pk + 1000])).status_code == 404


def test_the_page_shows_k_through_time_the_loyalty_history_and_the_cards(story, contact, qms):  # noqa: F811 - fixtures
    html = page(qms, contact).content.decode()
    # K: the newest first in the table, the line drawn oldest first; the mean is (7.6667 + 8) / 2.
    assert rows(html, "k-history") == [str(story["by_link"].pk), str(story["on_paper"].pk)]
    assert "Mean K 7.83 over 2 responses (threshold 8)" in html and "1 below the threshold." in html
    assert html.count("<circle") == 2 and 'class="k-threshold"' in html
    # Everything the customer said, newest first: the closing record, then the two responses.
    assert rows(html, "loyalty-history") == ["closing", "survey", "survey"]
    loyalty = html.split('id="loyalty-history"', 1)[1].split("</table>", 1)[0]
    assert "7/10 · Stays, would not recommend us" in loyalty and "K = " in loyalty
    assert "Personal link" in loyalty and "the customer, through their link" in loyalty
    assert "Paper form by post" in loyalty and "Qms" in loyalty and "Responsible" in loyalty
    assert "Звоните заранее" in loyalty
    assert loyalty.count(reverse("surveys:response", args=[story["by_link"].pk])) == 1
    # The three cards of this customer, none of the other's.
    cards = rows(html, "customer-cards-table")
    assert len(cards) == 3 and story["closed"].number in cards
    assert "satisfaction 7/10" in html and "The customer could not be reached" in html
    assert "Петров" not in html and "Течёт кран" not in html


def test_the_responsible_person_opens_only_the_responses_of_their_cards(story, contact, responsible):  # noqa: F811
    html = page(responsible, contact).content.decode()
    assert reverse("surveys:response", args=[story["by_link"].pk]) in html  # the response to their card
    assert reverse("surveys:response", args=[story["on_paper"].pk]) not in html  # typed in without a card


def test_a_customer_who_said_nothing_yet_has_a_clear_empty_page(contact, qms):
    html = page(qms, contact).content.decode()
    assert "The customer has not answered a questionnaire yet." in html
    assert "Nothing recorded yet" in html and "<svg" not in html


def test_an_erased_customer_and_one_who_refused_are_said_to_get_nothing(contact, qms):
    contact.contact_refused_at = timezone.now()
    contact.save()
    assert "Asked not to be contacted since" in page(qms, contact).content.decode()
    contact.erased_at = timezone.now()
    contact.save()
    assert "Personal data erased on" in page(qms, contact).content.decode()


def test_the_page_costs_the_same_queries_however_long_the_history(
    story, contact, qms, responsible, operator, version, criteria, django_assert_max_num_queries,  # noqa: F811
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(qms)
    url = reverse("surveys:customer", args=[contact.pk])
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n, wording in enumerate(("Треснул корпус.", "Счёт выставлен дважды.", "Грубил водитель.")):
        card_closed(card_answered(card_for(contact, operator, wording), qms, responsible), responsible,
                    satisfaction=5 + n, loyalty="stays")
        respond(version, criteria, (5 + n, 5), contact=contact, at=timezone.now(), entered_by=qms)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert len(rows(html, "loyalty-history")) == 3 + 6 and len(rows(html, "k-history")) == 5
