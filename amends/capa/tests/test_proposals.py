"""Proposals: raised once with one notification per head of the QMS, accepted into a nonconformity
or dismissed with a reason, by the head of the QMS only."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.accounts.roles import Role
from amends.capa.choices import ProposalKind, ProposalStatus, Source
from amends.capa.growth import cause_growth_check
from amends.capa.models import Nonconformity, Proposal
from amends.capa.proposal_checks import proposals_check
from amends.capa.proposals import proposal_accept, proposal_dismiss, proposal_finding, proposal_raise, proposal_title
from amends.complaints.choices import State
from amends.complaints.models import Complaint
from amends.core.errors import AccessDenied, TransitionNotAllowed
from amends.notifications.models import Notification
from amends.notifications.rendering import render_notification


@pytest.fixture
def grown(classified, supplier_cause, qms):
    """A real proposal: three complaints of one cause this quarter, none in the previous one."""
    cards = [classified(cause=supplier_cause) for _ in range(3)]
    [proposal] = cause_growth_check()
    return proposal, cards


def test_raising_tells_each_head_once_in_their_language(grown, make_user, supplier_cause):
    proposal, cards = grown
    [notification] = Notification.objects.filter(kind="capa_proposal")
    assert notification.user.username == "qms"
    assert notification.card_numbers.split() == [card.number for card in cards]
    supplier_cause.name_en = "Faulty components"
    supplier_cause.save()
    rendered = render_notification(notification, "en")
    assert rendered.subject == "A nonconformity is proposed: Growing cause: Faulty components"
    assert "“Faulty components”: 3 complaints in" in rendered.body and f"#proposal-{proposal.pk}" in rendered.body
    assert cards[0].number in rendered.body

    make_user("qms2", Role.QMS_HEAD)
    assert proposal_raise(kind=ProposalKind.CAUSE_GROWTH, key=proposal.key, params={}) is None
    assert Notification.objects.filter(kind="capa_proposal").count() == 1


def test_accepting_opens_the_nonconformity_with_the_findings_source_cause_and_counted_cards(grown, qms, responsible):
    proposal, cards = grown
    Complaint.objects.filter(pk=cards[2].pk).update(state=State.WITHDRAWN)  # since the proposal
    record = proposal_accept(actor=qms, proposal=proposal, title="Аккумуляторы АКБ-Снаб", owner=responsible)

    assert (record.source, record.cause, record.owner, record.title) == (
        Source.CAUSE_GROWTH, proposal.cause, responsible, "Аккумуляторы АКБ-Снаб",
    )
    assert list(record.complaints.order_by("pk")) == cards[:2]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.nonconformity) == (ProposalStatus.ACCEPTED, qms, record)
    assert proposal.decided_at is not None
    with translation.override("en"):
        texts = {event.code: event.text_display for event in record.events.all()}
    assert texts["opened"] == "Nonconformity opened (A cause growing quarter on quarter): Аккумуляторы АКБ-Снаб"
    assert texts["proposal"].startswith("Opened from the proposal of ")
    assert texts["proposal"].endswith(": Cause growing quarter on quarter.")


def test_accepting_without_a_title_takes_the_proposed_one(grown, qms):
    proposal, _cards = grown
    with translation.override("en"):
        record = proposal_accept(actor=qms, proposal=proposal)
    assert record.title == f"Growing cause: {proposal.cause.localized_name}"
    assert record.description.startswith("“")


def test_a_proposal_is_decided_once(grown, qms):
    proposal, _cards = grown
    proposal_accept(actor=qms, proposal=proposal)
    with pytest.raises(TransitionNotAllowed):
        proposal_accept(actor=qms, proposal=proposal)
    with pytest.raises(TransitionNotAllowed):
        proposal_dismiss(actor=qms, proposal=proposal, reason="Передумали")
    assert Nonconformity.objects.count() == 1
    assert Proposal.objects.get().status == ProposalStatus.ACCEPTED


def test_dismissing_needs_a_reason_and_keeps_it(grown, qms):
    proposal, _cards = grown
    with pytest.raises(ValidationError) as refused:
        proposal_dismiss(actor=qms, proposal=proposal, reason="   ")
    assert "reason" in refused.value.message_dict
    assert Proposal.objects.get().status == ProposalStatus.PENDING

    proposal_dismiss(actor=qms, proposal=proposal, reason="Сезонный рост, поставщик уже заменён")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason, proposal.decided_by) == (
        ProposalStatus.DISMISSED, "Сезонный рост, поставщик уже заменён", qms,
    )
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize("role", ["manager", "responsible", "operator"])
def test_only_the_head_of_the_qms_decides(grown, request, role):
    proposal, _cards = grown
    actor = request.getfixturevalue(role)
    with pytest.raises(AccessDenied):
        proposal_accept(actor=actor, proposal=proposal)
    with pytest.raises(AccessDenied):
        proposal_dismiss(actor=actor, proposal=proposal, reason="x")
    assert Proposal.objects.get().status == ProposalStatus.PENDING and not Nonconformity.objects.exists()


def test_the_hourly_run_goes_on_past_a_failing_check_and_rolls_it_back(classified, supplier_cause, caplog):
    for _ in range(3):
        classified(cause=supplier_cause)

    def broken_check(now):
        Proposal.objects.create(key="half-done", kind=ProposalKind.CLUSTER)
        raise RuntimeError("the database went away")

    done = proposals_check(checks=[broken_check, cause_growth_check])
    assert done == {"broken_check": "failed", "cause_growth_check": 1}
    assert not Proposal.objects.filter(key="half-done").exists()
    assert "broken_check failed" in caplog.text


@pytest.mark.django_db
def test_the_job_runs_both_checks():
    from amends.jobs.schedule import PERIODIC
    from amends.jobs.tasks import capa_proposals_task

    assert "capa_proposals" in {job.name for job in PERIODIC}
    assert capa_proposals_task.call() == {"cluster_check": 0, "cause_growth_check": 0}


def test_a_norm_proposal_is_worded_from_the_norms_params_and_may_be_raised_without_a_notice(qms, supplier):
    proposal = proposal_raise(kind=ProposalKind.NORM, key="norm:supplier:1:year:2026-01-01", supplier=supplier,
                              params={"subject": "supplier", "count": 8, "norm": 6, "period": "2026"}, notify=False)
    assert not Notification.objects.exists()  # the norms' check tells the heads of the breach itself
    with translation.override("en"):
        assert proposal_finding(proposal) == "Norm exceeded (AKB-Snab): 8 complaints against a norm of 6 in 2026."
        assert proposal_title(proposal) == "Norm exceeded: AKB-Snab"
    everyone = proposal_raise(kind=ProposalKind.NORM, key="norm:manufacturer:-:year:2026-01-01",
                              params={"subject": "manufacturer", "count": 5, "norm": 4, "period": "2026"})
    with translation.override("en"):
        assert proposal_title(everyone) == "Norm exceeded: Manufacturer's fault"
    assert Notification.objects.filter(user=qms, kind="capa_proposal").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_heads_accepting_at_the_same_moment_open_one_nonconformity(reference_data_restored, at_once, make_user):
    heads = [make_user(f"head{i}", Role.QMS_HEAD) for i in range(2)]
    proposal = proposal_raise(kind=ProposalKind.CLUSTER, key="cluster:race", params={
        "cards": 3, "customers": 3, "days": 30, "first": "2026-11-01", "last": "2026-11-03",
    })
    pending = iter(heads)

    def accept():
        try:
            return proposal_accept(actor=next(pending), proposal=proposal, title="Гонка").number
        except TransitionNotAllowed:
            return None

    assert sorted(at_once(accept, 2), key=bool)[0] is None
    assert Nonconformity.objects.count() == 1
    assert Proposal.objects.get().status == ProposalStatus.ACCEPTED


def test_a_norm_proposal_names_its_period_from_the_params_the_norms_check_writes(supplier):
    """norm_check keeps the period as kind and first day, not as a label (the demo showed "… in .")."""
    proposal = proposal_raise(kind=ProposalKind.NORM, key="norm:supplier:1:quarter:2026-04-01", supplier=supplier,
                              params={"subject": "supplier", "supplier": "AKB-Snab", "count": 8, "norm": 6,
                                      "period_kind": "quarter", "period_start": "2026-04-01"}, notify=False)
    with translation.override("en"):
        assert proposal_finding(proposal) == "Norm exceeded (AKB-Snab): 8 complaints against a norm of 6 in 2026 Q2."
