"""Clusters from the duplicates app's real output: cards registered through the services, whose
near-duplicate check stores the "similar complaint from another customer" links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.capa.choices import ProposalKind, ProposalStatus
from amends.capa.clusters import cluster_check
from amends.capa.models import CapaSettings, Proposal
from amends.capa.proposals import proposal_dismiss
from amends.complaints.choices import Channel, RequestType, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.duplicates.models import DuplicateCandidate, Reason
from amends.duplicates.tests.samples import EN, EN_RESENT, RU, RU_RESENT
from amends.notifications.models import Notification


@pytest.fixture
def customer(db):
    made = iter(range(100))

    def make():
        i = next(made)
        return contact_create(full_name=f"Покупатель {i}", phone=f"+7 912 000 00 {i:02d}", email=f"c{i}@example.ru")

    return make


@pytest.fixture
def filed(operator):
    def file(wording: str, contact, days_ago: float = 0) -> Complaint:
        return complaint_register(actor=operator, channel=Channel.EMAIL, wording=wording, contact=contact,
                                  received_at=timezone.now() - timedelta(days=days_ago))

    return file


def test_similar_complaints_of_three_customers_are_proposed_once_and_the_heads_told_once(filed, customer, qms):
    cards = [filed(RU, customer(), 3), filed(RU_RESENT, customer(), 2), filed(RU, customer(), 1)]
    filed(EN, customer())  # another wording, no cluster
    assert DuplicateCandidate.objects.filter(reason=Reason.SIMILAR_TEXT).count() == 3  # the real check's links

    [proposal] = cluster_check()
    assert proposal.kind == ProposalKind.CLUSTER and proposal.key == f"cluster:{cards[0].number}"
    assert set(proposal.complaints.all()) == set(cards)
    assert (proposal.params["cards"], proposal.params["customers"], proposal.params["days"]) == (3, 3, 30)
    assert cluster_check() == []
    assert Proposal.objects.count() == 1
    assert Notification.objects.filter(user=qms, kind="capa_proposal").count() == 1


def test_too_few_customers_the_same_customer_twice_and_cards_not_counted_make_no_cluster(filed, customer):
    first = customer()
    filed(RU, first, 2)
    filed(RU_RESENT, first, 1)  # the same customer again: a possible duplicate, not a similar complaint
    filed(RU, customer())
    assert cluster_check() == []  # two customers, three are needed

    withdrawn = filed(RU_RESENT, customer())
    Complaint.objects.filter(pk=withdrawn.pk).update(state=State.WITHDRAWN)
    duplicate = filed(RU, customer())
    Complaint.objects.filter(pk=duplicate.pk).update(state=State.DUPLICATE)
    objection = filed(RU, customer())  # an objection is no complaint (DOMAIN.md "Words")
    Complaint.objects.filter(pk=objection.pk).update(request_type=RequestType.OBJECTION)
    other = filed(RU_RESENT, customer())
    Complaint.objects.filter(pk=other.pk).update(request_type=RequestType.OTHER)
    assert cluster_check() == []
    assert not Proposal.objects.exists()


def test_the_window_and_the_size_are_the_settings(filed, customer):
    filed(RU, customer(), 20)
    filed(RU_RESENT, customer(), 10)
    filed(RU, customer(), 0)
    CapaSettings.objects.update_or_create(pk=1, defaults={"cluster_window_days": 15})
    assert cluster_check() == []  # the first card is out of the window: two customers left
    CapaSettings.objects.update_or_create(pk=1, defaults={"cluster_window_days": 15, "cluster_size": 2})
    [proposal] = cluster_check()
    assert proposal.params["customers"] == 2


def test_a_grown_cluster_joins_its_pending_proposal_and_is_not_proposed_again_once_decided(
    filed, customer, qms,
):
    cards = [filed(RU, customer(), 3), filed(RU_RESENT, customer(), 2), filed(RU, customer(), 1)]
    [proposal] = cluster_check()
    fourth = filed(RU_RESENT, customer())
    assert cluster_check() == []
    proposal.refresh_from_db()
    assert set(proposal.complaints.all()) == {*cards, fourth}
    assert (proposal.params["cards"], proposal.params["customers"]) == (4, 4)
    assert Notification.objects.filter(user=qms, kind="capa_proposal").count() == 1

    proposal_dismiss(actor=qms, proposal=proposal, reason="Шаблон жалобы с форума, не брак")
    filed(RU, customer())
    assert cluster_check() == []
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED and proposal.complaints.count() == 4
    assert Proposal.objects.count() == 1


def test_two_clusters_are_two_proposals_and_a_run_with_nothing_new_takes_a_fixed_number_of_queries(
    filed, customer, django_assert_max_num_queries,
):
    for wording in (RU, RU_RESENT, RU, RU_RESENT):
        filed(wording, customer())
    for wording in (EN, EN_RESENT, EN):
        filed(wording, customer())
    assert sorted(p.params["customers"] for p in cluster_check()) == [3, 4]
    with django_assert_max_num_queries(6):  # settings, links, cards, proposals; the savepoint
        assert cluster_check() == []
