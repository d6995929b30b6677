"""The responses list (its filters, checked against SQL) and one response's page: the seeds' table
worked out by hand, the loyalty answers, who/when/how, and who may open them."""

import re
from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amends.accounts.roles import Role
from amends.complaints.services import complaint_transition
from amends.surveys.access import can_see_response
from amends.surveys.choices import FollowUpKind, ResponseSource
from amends.surveys.models import FollowUp
from amends.surveys.recording import response_record

from .history_helpers import other, ratings, respond  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def at(month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, 12))


@pytest.fixture
def answers(version, criteria, invitation, complaint, contact, other, qms, responsible):  # noqa: F811 - fixtures
    """Through the link on 10 Nov (K 7.6667, would not recommend; the card's responsible person is
    `responsible`), on paper on 5 Oct (K 8 exactly), by phone on 1 Jun from another customer (K 3:
    the second criterion weighs nothing)."""
    complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
    invitation.complaint = complaint
    invitation.save()
    return {
        "link": response_record(
            version=version, invitation=invitation, source=ResponseSource.LINK, language="ru",
            ratings=ratings(criteria, (9, 10), (7, 8), (10, 3), (6, 9)), recommends=False, continues=True,
            suggestion="Звоните заранее", received_at=at(11, 10),
        ),
        "paper": respond(version, criteria, (8, 5), (8, 5), (8, 5), (8, 5), contact=contact, entered_by=qms,
                         at=at(10, 5), recommends=True, continues=True),
        "phone": respond(version, criteria, (3, 10), (9, 0), contact=other, entered_by=qms, at=at(6, 1),
                         source=ResponseSource.PHONE),
    }


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def listed(user, **filters) -> tuple[list[int], str]:
    html = client_of(user).get(reverse("surveys:responses"), filters).content.decode()
    return [int(pk) for pk in re.findall(r'<tr data-response="(\d+)"', html)], html


def test_the_list_shows_every_response_newest_first(answers, qms):
    pks, html = listed(qms)
    assert pks == [answers["link"].pk, answers["paper"].pk, answers["phone"].pk]
    assert "3 responses" in html


@pytest.mark.parametrize(("filters", "expected"), [
    ({"start": "2026-10-01", "end": "2026-11-30"}, ["link", "paper"]),
    ({"start": "2026-11-10", "end": "2026-11-10"}, ["link"]),  # both ends are whole days
    ({"source": "paper"}, ["paper"]),
    ({"below": "on"}, ["link", "phone"]),  # K = 8 exactly is not below 8
    ({"not_recommending": "on"}, ["link"]),  # "no answer" is not "no"
    ({"customer": "Петров"}, ["phone"]),
    ({"customer": "IVANOV@"}, ["link", "paper"]),
    ({"customer": "8 912 345"}, ["link", "paper"]),
    ({"start": "2025-01-01", "end": "2025-12-31"}, []),
])
def test_each_filter_keeps_its_responses_and_leaves_the_others_out(answers, qms, filters, expected):
    pks, html = listed(qms, **filters)
    assert pks == [answers[name].pk for name in expected]
    if not expected:
        assert "No response matches." in html


def test_the_below_threshold_filter_counts_as_sql_does(answers, qms):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM surveys_response WHERE k < 8 ORDER BY received_at DESC")
        below = [row[0] for row in cursor.fetchall()]
    assert listed(qms, below="on")[0] == below


@pytest.mark.parametrize("filters", [
    {"start": "2026-12-01", "end": "2026-11-01"}, {"start": "yesterday"}, {"source": "pigeon"}, {"page": "x"},
])
def test_bad_filters_are_a_message_never_an_error_page(answers, qms, filters):
    response = client_of(qms).get(reverse("surveys:responses"), filters)
    assert response.status_code == 200
    pks = [int(pk) for pk in re.findall(r'<tr data-response="(\d+)"', response.content.decode())]
    if "page" in filters:
        assert len(pks) == 3
    else:
        assert pks == [] and "Correct the filters to see the responses." in response.content.decode()


def seeds_rows(html: str) -> dict[str, list[str]]:
    table = html.split('id="seeds-table"', 1)[1].split("</tbody>", 1)[0]
    found = {}
    for key, row in re.findall(r'<tr data-criterion="([a-z]+)">(.*?)</tr>', table, re.S):
        found[key] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return found


def test_the_response_page_shows_the_seeds_table_worked_out_by_hand(answers, qms):
    html = client_of(qms).get(reverse("surveys:response", args=[answers["link"].pk])).content.decode()
    # Σ importance = 10 + 8 + 3 + 9 = 30; weight = importance / 30 × 100; k = score × weight / 100.
    assert seeds_rows(html) == {
        "reliability": ["Equipment reliability", "9", "10", "33.33", "3.00"],  # 9 × 33.33 / 100
        "delivery": ["Delivery times", "7", "8", "26.67", "1.87"],  # 7 × 26.67 / 100 = 1.8667
        "courtesy": ["Staff courtesy", "10", "3", "10.00", "1.00"],
        "handling": ["Speed of complaint handling", "6", "9", "30.00", "1.80"],
    }
    assert "Σ importance = 30; weights add up to 100 %." in html and "K = Σ k = 7.67" in html  # 230 / 30
    assert "Below the threshold of 8: organisational measures are needed." in html
    assert re.search(r'id="response-recommends"><strong class="loyalty-no">no</strong>', html)
    assert re.search(r'id="response-continues">yes<', html)
    assert "Звоните заранее" in html and "Personal link" in html and "the customer, through their link" in html
    assert "Test campaign" in html and answers["link"].complaint.number in html


def test_an_importance_of_0_gives_no_weight_and_k_of_8_exactly_is_not_below(answers, qms):
    client = client_of(qms)
    html = client.get(reverse("surveys:response", args=[answers["phone"].pk])).content.decode()
    assert seeds_rows(html) == {
        "reliability": ["Equipment reliability", "3", "10", "100.00", "3.00"],
        "delivery": ["Delivery times", "9", "0", "0.00", "0.00"],
    }
    assert "K = 3.00" in html and "Phone call" in html and "Qms" in html
    assert re.search(r'id="response-recommends"><span class="muted">no answer', html)
    html = client.get(reverse("surveys:response", args=[answers["paper"].pk])).content.decode()
    assert "K = 8.00" in html and "At or above the threshold of 8." in html


def test_the_response_lists_its_follow_ups(answers, qms, responsible):
    FollowUp.objects.create(kind=FollowUpKind.CALL_BACK, response=answers["paper"], owner=responsible,
                            due_at=at(10, 6), result="Перезвонили.")
    html = client_of(qms).get(reverse("surveys:response", args=[answers["paper"].pk])).content.decode()
    assert 'data-follow-up="call_back"' in html and "Перезвонили." in html


def test_who_may_open_a_response(answers, make_user, qms, manager, administrator, responsible, operator):
    link, paper = answers["link"], answers["paper"]
    stranger, owner = make_user("stranger", Role.RESPONSIBLE), make_user("owner", Role.RESPONSIBLE)
    FollowUp.objects.create(kind=FollowUpKind.LOW_K, response=paper, owner=owner, due_at=at(10, 12))

    def status(user, response) -> int:
        return client_of(user).get(reverse("surveys:response", args=[response.pk])).status_code

    for boss in (qms, manager, administrator):
        assert status(boss, link) == status(boss, paper) == 200
    assert status(responsible, link) == 200 and can_see_response(responsible, link)  # their card's response
    assert status(responsible, paper) == 403 and not can_see_response(responsible, paper)
    assert status(owner, paper) == 200 and status(owner, link) == 403  # the follow-up's owner
    assert status(stranger, link) == status(operator, link) == 403
    assert client_of(qms).get(reverse("surveys:response", args=[link.pk + 1000])).status_code == 404
    assert Client().get(reverse("surveys:response", args=[link.pk])).status_code == 302


def test_only_overseers_open_the_list(answers, qms, manager, administrator, responsible, operator):
    for user, expected in ((qms, 200), (manager, 200), (administrator, 200), (responsible, 403), (operator, 403)):
        assert client_of(user).get(reverse("surveys:responses")).status_code == expected
    assert Client().get(reverse("surveys:responses")).status_code == 302
