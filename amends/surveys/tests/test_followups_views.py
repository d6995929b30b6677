"""The follow-ups' pages: who sees the list and a follow-up, who closes it, what the page shows."""

import pytest
from django.test import Client
from django.urls import reverse

from amends.accounts.roles import Role
from amends.complaints.models import Complaint
from amends.surveys.choices import FollowUpKind, FollowUpState, OrganisationalMeasure
from amends.surveys.models import FollowUp
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db

LIST = reverse("surveys:followups")


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def followups(criteria, contact, complaint, responsible) -> dict[str, FollowUp]:
    """reliability 5×10, handling 6×2 (Σ importance 12): K = (50 + 12) / 12 = 5.1667, and would not recommend."""
    Complaint.objects.filter(pk=complaint.pk).update(responsible=responsible)
    complaint.refresh_from_db()
    response = response_record(
        version=criteria["reliability"].version, source="phone", language="ru", contact=contact, complaint=complaint,
        ratings={criteria["reliability"].pk: Rating(5, 10), criteria["handling"].pk: Rating(6, 2)}, recommends=False,
    )
    return {followup.kind: followup for followup in response.follow_ups.all()}


@pytest.mark.parametrize(("role", "status"), [
    (Role.QMS_HEAD, 200), (Role.MANAGER, 200), (Role.ADMINISTRATOR, 200), (Role.RESPONSIBLE, 200),
    (Role.OPERATOR, 403), (Role.EXECUTOR, 403),
])
def test_who_sees_the_list(make_user, followups, role, status):
    user = make_user(f"u-{role}", role, is_superuser=role == Role.ADMINISTRATOR)
    assert signed_in(user).get(LIST).status_code == status


def test_anonymous_is_sent_to_sign_in(followups):
    response = Client().get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_owner_sees_their_own_overseers_everyones(followups, responsible, qms, make_user):
    other = make_user("other", Role.RESPONSIBLE)
    assert len(signed_in(responsible).get(LIST).context["page"]) == 2
    assert len(signed_in(other).get(LIST, {"mine": "", "shown": "all"}).context["page"]) == 0
    assert len(signed_in(qms).get(LIST).context["page"]) == 2
    assert len(signed_in(qms).get(LIST, {"mine": "on", "shown": "open"}).context["page"]) == 0
    page = signed_in(qms).get(LIST, {"shown": "done"})
    assert len(page.context["page"]) == 0 and b"No follow-ups here." in page.content


def test_one_follow_up_is_its_owners_and_the_overseers(followups, responsible, manager, make_user):
    url = reverse("surveys:followup", args=[followups[FollowUpKind.LOW_K].pk])
    assert signed_in(responsible).get(url).status_code == 200
    assert signed_in(manager).get(url).status_code == 200
    assert signed_in(make_user("other", Role.RESPONSIBLE)).get(url).status_code == 404
    assert signed_in(responsible).get(reverse("surveys:followup", args=[999999])).status_code == 404


def test_the_page_shows_what_pulled_k_down_and_the_checklist(followups, responsible):
    page = signed_in(responsible).get(reverse("surveys:followup", args=[followups[FollowUpKind.LOW_K].pk]))
    rows = page.context["pulling_down"]
    # reliability: weight 10/12 = 83.33 %, shortfall (8 − 5) × 10/12 = 2.50; handling (8 − 6) × 2/12 = 0.33.
    assert [(row.score, str(row.weight), str(row.shortfall)) for row in rows] == [
        (5, "83.33", "2.50"), (6, "16.67", "0.33"),
    ]
    html = page.content.decode()
    assert "5.17" in html and "Equipment reliability" in html
    for measure in OrganisationalMeasure:
        assert f'value="{measure.value}"' in html
    assert 'name="reason"' not in html


def test_the_owner_closes_a_call_back_an_empty_form_is_refused(followups, responsible):
    followup = followups[FollowUpKind.CALL_BACK]
    url = reverse("surveys:followup", args=[followup.pk])
    client = signed_in(responsible)
    refused = client.post(url, {"reason": "Цена", "result": ""})
    assert refused.status_code == 400
    assert b"Say why the customer would not recommend us and what came of the call." in refused.content
    assert b"\xd0\xa6\xd0\xb5\xd0\xbd\xd0\xb0" in refused.content  # what they typed is kept: "Цена"
    done = client.post(url, {"reason": "Цена", "suggestion": "Скидка", "result": "Перезвонили"})
    assert done.status_code == 302
    followup.refresh_from_db()
    assert (followup.state, followup.reason, followup.suggestion, followup.result) == (
        FollowUpState.DONE, "Цена", "Скидка", "Перезвонили",
    )
    assert "Перезвонили" in client.get(url).content.decode()


def test_a_manager_reads_but_may_not_close(followups, manager, qms):
    followup = followups[FollowUpKind.LOW_K]
    url = reverse("surveys:followup", args=[followup.pk])
    assert 'name="measures"' not in signed_in(manager).get(url).content.decode()
    assert signed_in(manager).post(url, {"measures": ["equipment"]}).status_code == 403
    assert signed_in(qms).post(url, {"measures": ["equipment", "motivation"]}).status_code == 302
    followup.refresh_from_db()
    assert followup.measures == ["equipment", "motivation"]
    page = signed_in(qms).get(url).content.decode()
    assert "Modernise the production equipment" in page and 'name="measures"' not in page


def test_the_nav_shows_the_follow_ups(followups, responsible):
    page = signed_in(responsible).get(LIST).content.decode()
    assert f'href="{LIST}" aria-current="page"' in page


def test_my_deadlines_page_links_the_owners_follow_ups(followups, responsible):
    page = signed_in(responsible).get(reverse("deadlines:mine")).content.decode()
    for followup in followups.values():
        assert reverse("surveys:followup", args=[followup.pk]) in page
    assert "Would not recommend us: call back" in page
