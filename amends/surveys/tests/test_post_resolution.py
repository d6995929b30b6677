"""The post-resolution survey: a card whose final answer left, or that was closed, gets one invitation
in the month's campaign; never two per card, none for duplicates or withdrawn cards, none when the
policy names no questionnaire; a customer who may not be contacted is recorded as not sent."""

import pytest
from django.core import mail
from django.utils import timezone

from amends.answers import checks
from amends.answers.choices import Outcome
from amends.answers.delivery import answer_send
from amends.answers.models import DeliveryChannel, Letter
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures
from amends.surveys.choices import CampaignKind, CampaignState, InvitationChannel, InvitationState, NotSentReason
from amends.surveys.models import Campaign, Invitation, SurveyPolicy
from amends.surveys.receivers import month_key
from amends.surveys.signals import invitations_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_automatic_duplicate_links(settings):
    settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS = 0


@pytest.fixture
def surveys_on(version):
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"post_resolution": version.questionnaire})


@pytest.fixture
def ready_signals():
    sent = []
    invitations_ready.connect(lambda sender, campaign, **kw: sent.append(campaign.pk), weak=False,
                              dispatch_uid="test_post_resolution_ready")
    yield sent
    invitations_ready.disconnect(dispatch_uid="test_post_resolution_ready")


def survey_invitations():
    return list(Invitation.objects.filter(campaign__kind=CampaignKind.POST_RESOLUTION).select_related("campaign"))


def test_closing_a_card_invites_its_customer_once_in_the_months_campaign(
    surveys_on, walk, register, contact, ready_signals, django_capture_on_commit_callbacks,  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        closed = walk(register(), State.CLOSED)
    [invitation] = survey_invitations()
    campaign = invitation.campaign
    # Announced after the commit, the invitation was sent at once (tasks run at once in tests).
    assert (campaign.period, campaign.state) == (month_key(timezone.now()), CampaignState.SENT)
    assert campaign.started_at is not None
    assert (invitation.contact, invitation.complaint, invitation.state, invitation.channel) == (
        contact, closed, InvitationState.SENT, InvitationChannel.EMAIL,
    )
    assert ready_signals == [campaign.pk]
    assert [message.to for message in mail.outbox if invitation.key in message.body] == [[contact.email]]


def test_the_final_answer_delivered_invites_and_the_closing_after_it_adds_none(
    surveys_on, walk, register, responsible, django_capture_on_commit_callbacks, monkeypatch,  # noqa: F811
):
    monkeypatch.setattr(checks, "_CHECKS", {})  # the letter's checks are the answers' tests' (test_delivery.py)
    card = walk(register(channel=Channel.PHONE), State.DECIDED, justification=Justification.UNJUSTIFIED)
    letter = Letter.objects.create(
        complaint=card, outcome=Outcome.REFUSED, language="en", created_by=responsible, signed_by=responsible,
        subject="Your complaint", body="Thank you for telling us. We checked the delivery: it was on time.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.ORAL)
    assert [invitation.complaint_id for invitation in survey_invitations()] == [card.pk]
    card.refresh_from_db()
    assert walk(card, State.CLOSED).state == State.CLOSED
    assert len(survey_invitations()) == 1


def test_no_survey_for_duplicates_withdrawn_cards_or_without_the_policys_questionnaire(
    version, walk, register,  # noqa: F811
):
    walk(register(), State.CLOSED)  # the policy names no questionnaire: surveys are off
    assert survey_invitations() == [] and not Campaign.objects.exists()
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"post_resolution": version.questionnaire})
    walk(register(wording="Первая жалоба."), State.DUPLICATE)
    walk(register(wording="Вторая жалоба."), State.WITHDRAWN)
    assert survey_invitations() == []


def test_a_customer_is_asked_once_a_month_whatever_the_number_of_cards(surveys_on, walk, register):  # noqa: F811
    walk(register(wording="Первая жалоба."), State.CLOSED)
    walk(register(wording="Вторая жалоба."), State.CLOSED)
    assert len(survey_invitations()) == 1


def test_a_customer_who_refused_is_recorded_not_sent_and_nothing_is_announced(
    surveys_on, walk, register, contact, ready_signals, django_capture_on_commit_callbacks,  # noqa: F811
):
    contact.contact_refused_at = timezone.now()
    contact.save()
    with django_capture_on_commit_callbacks(execute=True):
        walk(register(), State.CLOSED)
    [invitation] = survey_invitations()
    assert (invitation.state, invitation.not_sent_reason) == (InvitationState.NOT_SENT, NotSentReason.REFUSED)
    assert ready_signals == []


def test_a_sent_months_campaign_is_sending_again_with_a_new_invitation_and_a_closed_one_takes_none(
    surveys_on, walk, register, make_user, contact,  # noqa: F811
):
    from amends.customers.services import contact_create

    walk(register(), State.CLOSED)
    campaign = Campaign.objects.get()
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENT)
    other = contact_create(full_name="Петров Пётр", email="petrov@example.ru")
    walk(register(contact=other), State.CLOSED)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENDING and campaign.invitations.count() == 2
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    third = contact_create(full_name="Сидорова Анна", email="sidorova@example.ru")
    walk(register(contact=third), State.CLOSED)
    assert campaign.invitations.count() == 2
