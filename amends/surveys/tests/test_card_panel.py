"""The card's "Satisfaction and loyalty" panel: the closing record, the card's survey (its invitation
and the response) and the link to the customer's page, each shown to whom it may be."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amends.complaints.choices import Loyalty
from amends.surveys.choices import InvitationState, ResponseSource
from amends.surveys.recording import response_record

from .history_helpers import card_answered, card_closed, ratings

pytestmark = pytest.mark.django_db


def panel(user, card) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    html = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    found = re.search(r'id="satisfaction-loyalty">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def closed(complaint, qms, responsible):
    return card_closed(card_answered(complaint, qms, responsible), responsible, satisfaction=4,
                       loyalty=Loyalty.LEAVES)


def test_a_closed_card_shows_its_closing_record_and_the_customers_answers(
    closed, invitation, version, criteria, qms, responsible,
):
    invitation.complaint = closed
    invitation.save()
    response = response_record(
        version=version, invitation=invitation, source=ResponseSource.LINK, language="ru",
        ratings=ratings(criteria, (5, 10), (9, 10)), recommends=False, continues=False,
        suggestion="Меньше бумаг", received_at=timezone.now() - timedelta(hours=1),
    )
    for user in (qms, responsible):
        shown = panel(user, closed)
        assert "4/10" in shown and "Refuses further cooperation" in shown and "Responsible" in shown
        assert reverse("surveys:response", args=[response.pk]) in shown and "7.00" in shown  # (50 + 90) / 20
        assert "Меньше бумаг" in shown and "Personal link" in shown
        assert reverse("surveys:customer", args=[closed.contact_id]) in shown
        assert 'data-invitation="' not in shown  # the answered invitation is the response above


def test_the_operator_who_registered_it_sees_the_record_but_not_the_response_or_the_customers_page(
    closed, invitation, version, criteria, operator,
):
    invitation.complaint = closed
    invitation.save()
    response = response_record(version=version, invitation=invitation, source=ResponseSource.LINK, language="ru",
                               ratings=ratings(criteria, (8, 1)))
    shown = panel(operator, closed)
    assert "4/10" in shown and "8.00" in shown
    assert reverse("surveys:response", args=[response.pk]) not in shown
    assert reverse("surveys:customer", args=[closed.contact_id]) not in shown


def test_an_invitation_not_answered_yet_says_where_it_stands(closed, invitation, qms):
    invitation.complaint = closed
    invitation.save()
    shown = panel(qms, closed)
    assert 'data-invitation="sent"' in shown and "the link works until" in shown
    invitation.state, invitation.not_sent_reason = InvitationState.NOT_SENT, "refused"
    invitation.save()
    shown = panel(qms, closed)
    assert 'data-invitation="not_sent"' in shown and "Asked not to be contacted" in shown


def test_an_open_card_has_the_link_to_the_customers_page_for_the_responsible_person_only(
    complaint, qms, responsible, operator,
):
    card = card_answered(complaint, qms, responsible)
    shown = panel(responsible, card)
    assert "Recorded when the card is closed." in shown and "No questionnaire for this card." in shown
    assert reverse("surveys:customer", args=[card.contact_id]) in shown
    assert panel(operator, card) == ""  # nothing to say to the operator yet


def test_a_card_closed_without_reaching_the_customer_says_so(complaint, qms, responsible):
    card = card_closed(card_answered(complaint, qms, responsible), responsible)
    shown = panel(qms, card)
    # The score out of 10, not any "/10": the customer's link may hold it (/surveys/customers/1028/).
    assert "The customer could not be reached" in shown and "/10</dd>" not in shown
