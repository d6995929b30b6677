"""The proposals page: pending first with what was found and the cards behind it, the decisions of
the head of the QMS with their bad input, and who may see or decide."""

import pytest
from django.urls import reverse

from amends.capa.choices import ProposalKind, ProposalStatus
from amends.capa.growth import cause_growth_check
from amends.capa.models import Nonconformity, Proposal
from amends.capa.proposals import proposal_dismiss, proposal_raise

PAGE = reverse("capa:proposals")


@pytest.fixture
def grown(classified, supplier_cause):
    cards = [classified(cause=supplier_cause) for _ in range(3)]
    [proposal] = cause_growth_check()
    return proposal, cards


@pytest.fixture
def english(qms, manager):
    for user in (qms, manager):
        user.language = "en"
        user.save(update_fields=["language"])


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_head_sees_what_was_found_with_its_cards_and_the_forms(client, qms, grown, english, supplier_cause):
    proposal, cards = grown
    supplier_cause.name_en = "Faulty components"
    supplier_cause.save()
    page = signed_in(client, qms).get(PAGE).content.decode()
    assert "“Faulty components”: 3 complaints in" in page
    for card in cards:
        assert reverse("complaints:detail", args=[card.number]) in page
    assert reverse("capa:proposal_accept", args=[proposal.pk]) in page
    assert 'value="Growing cause: Faulty components"' in page  # the title offered
    assert reverse("capa:proposal_dismiss", args=[proposal.pk]) in page


def test_pending_come_first_and_the_decided_say_who_when_and_why(client, qms, grown, english):
    proposal, _cards = grown
    later = proposal_raise(kind=ProposalKind.CLUSTER, key="cluster:x", params={
        "cards": 3, "customers": 3, "days": 30, "first": "2026-11-01", "last": "2026-11-03",
    })
    proposal_dismiss(actor=qms, proposal=proposal, reason="Сезонный рост")
    page = signed_in(client, qms).get(PAGE).content.decode()
    assert page.index(f'id="proposal-{later.pk}"') < page.index(f'id="proposal-{proposal.pk}"')
    assert "3 customers complained in similar words within 30 days" in page
    assert "Decided by Qms," in page and "Reason: Сезонный рост" in page


def test_the_head_accepts_and_the_nonconformity_is_opened(client, qms, responsible, grown):
    proposal, cards = grown
    response = signed_in(client, qms).post(reverse("capa:proposal_accept", args=[proposal.pk]), {
        f"accept-{proposal.pk}-title": "Брак аккумуляторов", f"accept-{proposal.pk}-owner": responsible.pk,
    })
    assert response.status_code == 302
    record = Nonconformity.objects.get()
    assert (record.title, record.owner, record.complaints.count()) == ("Брак аккумуляторов", responsible, 3)
    assert Proposal.objects.get().status == ProposalStatus.ACCEPTED

    again = client.post(reverse("capa:proposal_accept", args=[proposal.pk]), {f"accept-{proposal.pk}-title": "x"})
    assert again.status_code == 400  # decided already: said on the page, nothing opened twice
    assert Nonconformity.objects.count() == 1


def test_dismissing_without_a_reason_shows_the_form_again_with_the_message(client, qms, grown, english):
    proposal, _cards = grown
    url = reverse("capa:proposal_dismiss", args=[proposal.pk])
    response = signed_in(client, qms).post(url, {f"dismiss-{proposal.pk}-reason": " "})
    assert response.status_code == 400
    assert "Say why the proposal is dismissed." in response.content.decode()
    assert Proposal.objects.get().status == ProposalStatus.PENDING
    assert client.post(url, {f"dismiss-{proposal.pk}-reason": "Уже исправлено"}).status_code == 302
    assert Proposal.objects.get().reason == "Уже исправлено"


def test_a_manager_sees_but_does_not_decide_and_others_are_refused(client, manager, responsible, operator, grown):
    proposal, _cards = grown
    page = signed_in(client, manager).get(PAGE)
    assert page.status_code == 200 and reverse("capa:proposal_accept", args=[proposal.pk]) not in page.content.decode()
    for name, data in (("capa:proposal_accept", {f"accept-{proposal.pk}-title": "x"}),
                       ("capa:proposal_dismiss", {f"dismiss-{proposal.pk}-reason": "x"})):
        assert client.post(reverse(name, args=[proposal.pk]), data).status_code == 403
    for user in (responsible, operator):
        assert signed_in(client, user).get(PAGE).status_code == 403
    client.logout()
    assert client.get(PAGE).status_code == 302  # to the login page
    assert Proposal.objects.get().status == ProposalStatus.PENDING


def test_the_page_takes_a_fixed_number_of_queries(client, qms, grown, classified, django_assert_max_num_queries):
    proposal, _cards = grown
    signed_in(client, qms).get(PAGE)
    for i in range(6):
        made = proposal_raise(kind=ProposalKind.CAUSE_GROWTH, key=f"growth:{i}", cause=proposal.cause,
                              complaints=[classified()], params=proposal.params)
        if i % 2:
            proposal_dismiss(actor=qms, proposal=made, reason="Нет")
    with django_assert_max_num_queries(11):  # 10 with nothing decided yet
        assert client.get(PAGE).status_code == 200
