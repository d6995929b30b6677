"""A campaign's life: its invitations created once per customer (sent or not, with the reason), started
once with `invitations_ready` after the commit, closed with its unanswered links expired; its counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from amends.answers.models import Letter
from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.surveys.campaigns import audience_preview, campaign_close, campaign_counts, campaign_create, campaign_start
from amends.surveys.choices import CampaignKind, CampaignState, InvitationChannel, InvitationState, NotSentReason
from amends.surveys.models import Invitation, QuestionnaireVersion
from amends.surveys.recording import LinkExpired, response_record
from amends.surveys.scoring import Rating
from amends.surveys.signals import invitations_ready
from amends.surveys.tokens import link_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """Five customers: two to e-mail, one erased, one who refused, one with only a phone."""
    def make(name, **fields):
        return contact_create(full_name=name, **fields)

    erased, refused = make("Erased", email="erased@example.ru"), make("Refused", email="refused@example.ru")
    erased.erased_at = refused.contact_refused_at = timezone.now()
    erased.save()
    refused.save()
    return {
        "anna": make("Anna", email="anna@example.ru"), "boris": make("Boris", email="boris@example.ru"),
        "erased": erased, "refused": refused, "phone": make("Phone", phone="+7 912 111-22-33"),
    }


@pytest.fixture
def ready_signals():
    sent = []

    def receiver(sender, campaign, **kwargs):
        sent.append(campaign.pk)

    invitations_ready.connect(receiver, dispatch_uid="test_campaigns_ready")
    yield sent
    invitations_ready.disconnect(dispatch_uid="test_campaigns_ready")


def invitations(campaign) -> dict[str, Invitation]:
    return {invitation.contact.full_name: invitation for invitation in campaign.invitations.select_related("contact")}


def test_a_campaign_has_one_invitation_per_customer_pending_or_not_sent_with_the_reason(version, people, qms):
    contacts = [*people.values(), people["anna"]]  # Anna twice: invited once
    campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, actor=qms, name=" Autumn ", contacts=contacts)
    assert (campaign.state, campaign.name, campaign.created_by) == (CampaignState.DRAFT, "Autumn", qms)
    rows = invitations(campaign)
    assert {name: (row.state, row.not_sent_reason, row.channel) for name, row in rows.items()} == {
        "Anna": (InvitationState.PENDING, "", InvitationChannel.EMAIL),
        "Boris": (InvitationState.PENDING, "", InvitationChannel.EMAIL),
        "Erased": (InvitationState.NOT_SENT, NotSentReason.ERASED, InvitationChannel.EMAIL),
        "Refused": (InvitationState.NOT_SENT, NotSentReason.REFUSED, InvitationChannel.EMAIL),
        "Phone": (InvitationState.NOT_SENT, NotSentReason.NO_ADDRESS, InvitationChannel.PHONE),
    }
    assert {row.language for row in rows.values()} == {"ru"}
    keys = [row.key for row in rows.values()]
    assert len(set(keys)) == 5 and all(len(key) >= 20 for key in keys)


@translation.override("en")
def test_a_draft_version_or_a_period_started_already_is_refused(version, people):
    draft = QuestionnaireVersion.objects.create(questionnaire=version.questionnaire, number=2)
    with pytest.raises(ValidationError, match="published"):
        campaign_create(kind=CampaignKind.MANUAL, version=draft, contacts=[people["anna"]])
    campaign_create(kind=CampaignKind.SEMIANNUAL, version=version, period="2026-H2", contacts=[people["anna"]])
    with pytest.raises(ValidationError, match="exists already"):
        campaign_create(kind=CampaignKind.SEMIANNUAL, version=version, period="2026-H2", contacts=[people["boris"]])
    assert Invitation.objects.count() == 1


@translation.override("en")
def test_starting_sends_invitations_ready_once_committed_and_only_a_draft_starts(
    version, people, qms, ready_signals, django_capture_on_commit_callbacks,
):
    campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=[people["anna"]])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        campaign_start(campaign, actor=qms)
    assert ready_signals == [] and len(callbacks) == 1  # nothing before the commit
    callbacks[0]()
    assert ready_signals == [campaign.pk]
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENDING and campaign.started_at is not None
    with pytest.raises(ValidationError, match="draft"):
        campaign_start(campaign, actor=qms)


@translation.override("en")
def test_closing_expires_the_unanswered_links_and_keeps_the_answered_and_the_never_asked(
    version, criteria, people, qms,
):
    campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=people.values())
    campaign_start(campaign, actor=qms)
    rows = invitations(campaign)
    Invitation.objects.filter(pk=rows["Boris"].pk).update(
        state=InvitationState.SENT, sent_at=timezone.now(), expires_at=timezone.now() + timedelta(days=30),
    )
    response_record(version=version, ratings={criteria["delivery"].pk: Rating(9, 5)}, source="link", language="ru",
                    invitation=rows["Anna"])
    campaign_close(campaign, actor=qms)
    states = {name: row.state for name, row in invitations(campaign).items()}
    assert states == {
        "Anna": InvitationState.ANSWERED, "Boris": InvitationState.EXPIRED, "Phone": InvitationState.EXPIRED,
        "Erased": InvitationState.NOT_SENT, "Refused": InvitationState.NOT_SENT,
    }
    boris = Invitation.objects.get(pk=rows["Boris"].pk)
    with pytest.raises(LinkExpired):
        response_record(version=version, ratings={criteria["delivery"].pk: Rating(3, 5)}, source="link",
                        language="ru", invitation=boris)
    assert link_valid(boris.key, "forged") is False
    with pytest.raises(ValidationError, match="closed already"):
        campaign_close(campaign, actor=qms)


def test_the_counts_and_the_response_rate_match_the_hand_count_and_sql(version, criteria, people, make_user):
    campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=people.values())
    other = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=[people["boris"]])
    rows = invitations(campaign)
    for name in ("Anna", "Phone"):  # answered by link, and typed in from the phone call
        response_record(version=version, ratings={criteria["courtesy"].pk: Rating(7, 4)}, source="link",
                        language="ru", invitation=rows[name])
    response_record(version=version, ratings={criteria["courtesy"].pk: Rating(7, 4)}, source="link",
                    language="ru", invitation=other.invitations.get())  # another campaign's: not counted
    counts = campaign_counts(campaign)
    # By hand: 5 invitations; Anna and Phone answered, Boris pending, Erased and Refused never asked.
    assert counts.total == 5
    assert [(state, count) for state, _label, count in counts.by_state] == [
        ("pending", 1), ("not_sent", 2), ("answered", 2),
    ]
    assert [(reason, count) for reason, _label, count in counts.by_reason] == [
        ("erased", 1), ("refused", 1), ("no_address", 1),
    ]
    assert (counts.answered, counts.asked, str(counts.response_rate)) == (2, 3, "66.7")  # 2 of 3 asked
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, COUNT(*) FROM surveys_invitation WHERE campaign_id = %s GROUP BY state", [campaign.pk],
        )
        assert dict(cursor.fetchall()) == {state: count for state, _label, count in counts.by_state}


def test_the_preview_counts_who_gets_it_and_who_does_not_by_reason(people):
    preview = audience_preview(people.values())
    assert (preview.total, preview.reached, preview.to_ask) == (5, 2, 1)
    assert [(reason, count) for reason, _label, count in preview.not_sent] == [
        ("erased", 1), ("refused", 1), ("no_address", 1),
    ]
    empty = audience_preview([])
    assert (empty.total, empty.reached, empty.not_sent) == (0, 0, [])


def test_a_campaign_of_many_addresses_each_in_their_language_and_channel_in_a_few_queries(
    version, operator, responsible, django_assert_max_num_queries,
):
    contacts = [contact_create(full_name=f"Customer {n}", email=f"c{n}@example.ru") for n in range(30)]
    cards = [complaint_register(actor=operator, channel=Channel.EMAIL, contact=contact, wording=f"Жалоба {n}",
                                duplicates="caller") for n, contact in enumerate(contacts)]
    Letter.objects.create(complaint=cards[0], outcome="refused", language="hy", created_by=responsible,
                          subject="Պատասխան", body="...")
    Complaint.objects.filter(pk=cards[1].pk).update(thread_key="telegram:bot:7", channel=Channel.MESSENGER)
    with django_assert_max_num_queries(20):  # not one per customer
        campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=contacts)
    rows = {invitation.contact_id: invitation for invitation in campaign.invitations.all()}
    assert rows[contacts[0].pk].language == "hy"
    chat = rows[contacts[1].pk]
    assert (chat.channel, chat.complaint_id) == (InvitationChannel.MESSENGER, cards[1].pk)
    assert {rows[contact.pk].language for contact in contacts[1:]} == {"ru"}
    assert {rows[contact.pk].channel for contact in contacts[2:]} == {InvitationChannel.EMAIL}
    assert all(rows[contact.pk].complaint_id is None for contact in contacts[2:])  # e-mail alone
