"""Sending the invitations: the message in the customer's language, eligibility checked again at
sending, a failure recorded without stopping the rest, never twice, and the worker's jobs."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from amends.complaints.models import Complaint
from amends.customers.models import Contact
from amends.intake.models import OutboundMessage
from amends.intake.tests.test_webhooks_support import FakePlatform, make_source
from amends.surveys.choices import (
    CampaignKind,
    CampaignState,
    InvitationChannel,
    InvitationState,
    NotSentReason,
)
from amends.surveys.models import Campaign, Invitation
from amends.surveys.sending import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    invitation_message,
    invitations_send,
    stop_url,
)
from amends.surveys.signals import invitations_ready
from amends.surveys.tokens import invitation_key, link_url

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def invite(campaign, contact, *, channel=InvitationChannel.EMAIL, language="ru", complaint=None, **fields):
    return Invitation.objects.create(
        campaign=campaign, contact=contact, complaint=complaint, key=invitation_key(), language=language,
        channel=channel, **fields,
    )


def customer(number: int, **fields) -> Contact:
    fields.setdefault("email", f"customer{number}@example.ru")
    return Contact.objects.create(full_name=f"Клиент {number}", **fields)


@pytest.fixture
def sending(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING, started_at=NOW)
    campaign.refresh_from_db()
    return campaign


def test_the_message_has_the_link_the_expiry_the_other_ways_and_the_stop_line_in_english(sending, contact):
    invitation = invite(sending, contact, language="en", expires_at=datetime(2027, 1, 6, 9, 0, tzinfo=NOW.tzinfo))
    subject, text = invitation_message(invitation)
    assert subject == "Customer satisfaction"
    assert "Dear Иванов Иван Иванович," in text
    assert f"\n{link_url(invitation.key)}\n" in text
    assert "The link works once and until 06.01.2027." in text
    assert "answer on paper, by fax or by phone, reply to this message" in text
    assert f"do not want to receive our questionnaires any more, open this link:\n{stop_url(invitation.key)}" in text
    assert stop_url(invitation.key) == f"https://complaints.example.com/survey/{invitation.key}/" \
        f"{link_url(invitation.key).rsplit('/', 2)[-2]}/stop/"
    reminder_subject, reminder_text = invitation_message(invitation, reminder=True)
    assert reminder_subject == "Reminder: Customer satisfaction"
    assert "we have not heard from you yet" in reminder_text and link_url(invitation.key) in reminder_text


@pytest.mark.parametrize(("language", "questionnaire"), [
    ("ru", "Удовлетворённость клиентов"), ("hy", "Հաճախորդների գոհունակություն"), ("en", "Customer satisfaction"),
])
def test_the_message_is_in_the_invitations_language_whatever_the_page_is_in(sending, contact, language, questionnaire):
    invitation = invite(sending, contact, language=language, expires_at=NOW)
    with translation.override("en" if language != "en" else "ru"):
        subject, text = invitation_message(invitation)
    assert subject == questionnaire
    assert link_url(invitation.key) in text and "07.12.2026" in text


def test_a_post_resolution_message_names_the_card(sending, complaint):
    invitation = invite(sending, complaint.contact, language="en", complaint=complaint, expires_at=NOW)
    assert f"We have handled your complaint No. {complaint.number}." in invitation_message(invitation)[1]


def test_pending_email_invitations_of_started_campaigns_go_and_their_links_get_an_expiry(sending, contact, version):
    mine = [invite(sending, contact)] + [invite(sending, customer(i)) for i in (1, 2)]
    paper = invite(sending, customer(3), channel=InvitationChannel.PAPER)
    draft = Campaign.objects.create(kind=CampaignKind.MANUAL, version=version, name="Not started")
    waiting = invite(draft, customer(4))

    result = invitations_send(now=NOW)

    assert (result.sent, result.failed, result.not_sent) == (3, 0, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["customer1@example.ru", "customer2@example.ru", "ivanov@example.ru"]
    for invitation in mine:
        invitation.refresh_from_db()
        assert invitation.state == InvitationState.SENT and invitation.attempts == 1
        assert invitation.sent_at == NOW and invitation.expires_at == NOW + timedelta(days=30)
    sent = next(m for m in mail.outbox if m.to == ["ivanov@example.ru"])
    assert link_url(mine[0].key) in sent.body and "06.01.2027" in sent.body  # 7 Dec + 30 days
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.extra_headers["List-Unsubscribe"] == f"<{stop_url(mine[0].key)}>"
    assert Invitation.objects.get(pk=paper.pk).state == InvitationState.PENDING  # staff ask by post
    assert Invitation.objects.get(pk=waiting.pk).state == InvitationState.PENDING
    sending.refresh_from_db()
    draft.refresh_from_db()
    assert sending.state == CampaignState.SENT and draft.state == CampaignState.DRAFT

    assert invitations_send(now=NOW + timedelta(minutes=5)).sent == 0  # nothing twice
    assert len(mail.outbox) == 3


def test_the_mail_of_a_post_resolution_invitation_threads_into_its_card(sending, complaint):
    invite(sending, complaint.contact, complaint=complaint)
    invitations_send(now=NOW)
    (sent,) = mail.outbox
    assert sent.subject == f"[#{complaint.number}] Удовлетворённость клиентов"


def test_who_was_erased_or_refused_since_the_campaign_was_made_gets_nothing(sending):
    erased = invite(sending, customer(1, erased_at=NOW))
    refused = invite(sending, customer(2, contact_refused_at=NOW))
    no_email = invite(sending, customer(3, email=""))
    no_chat = invite(sending, customer(4), channel=InvitationChannel.MESSENGER)
    fine = invite(sending, customer(5))

    result = invitations_send(now=NOW)

    assert (result.sent, result.not_sent) == (1, 4)
    assert [m.to for m in mail.outbox] == [["customer5@example.ru"]]
    expected = {erased: NotSentReason.ERASED, refused: NotSentReason.REFUSED,
                no_email: NotSentReason.NO_ADDRESS, no_chat: NotSentReason.NO_ADDRESS}
    for invitation, reason in expected.items():
        invitation.refresh_from_db()
        assert (invitation.state, invitation.not_sent_reason, invitation.sent_at) == (
            InvitationState.NOT_SENT, reason, None,
        )
    assert Invitation.objects.get(pk=fine.pk).state == InvitationState.SENT


def test_one_campaign_is_sent_alone_when_named(sending, version, contact):
    other = Campaign.objects.create(kind=CampaignKind.MANUAL, version=version, state=CampaignState.SENDING)
    invite(sending, contact)
    theirs = invite(other, customer(1))
    assert invitations_send(campaign_id=sending.pk, now=NOW).sent == 1
    assert Invitation.objects.get(pk=theirs.pk).state == InvitationState.PENDING
    sending.refresh_from_db()
    other.refresh_from_db()
    assert (sending.state, other.state) == (CampaignState.SENT, CampaignState.SENDING)


def test_a_limit_sends_that_many_and_the_next_run_the_rest(sending):
    for number in range(5):
        invite(sending, customer(number))
    assert invitations_send(limit=3, now=NOW).sent == 3
    assert Campaign.objects.get(pk=sending.pk).state == CampaignState.SENDING
    assert invitations_send(limit=3, now=NOW).sent == 2
    assert len(mail.outbox) == 5 and Campaign.objects.get(pk=sending.pk).state == CampaignState.SENT


def test_an_invitation_another_worker_is_sending_is_left_to_it_and_settled_when_it_died(sending, contact):
    claimed = invite(sending, contact, sent_at=NOW, attempts=1)
    assert invitations_send(now=NOW + timedelta(minutes=1)).sent == 0
    assert mail.outbox == [] and Invitation.objects.get(pk=claimed.pk).state == InvitationState.PENDING

    with translation.override("en"):
        invitations_send(now=NOW + CLAIM_TIMEOUT + timedelta(minutes=1))
    claimed.refresh_from_db()
    assert mail.outbox == []  # it may have gone: never twice
    assert claimed.state == InvitationState.SENT and claimed.error.startswith("Sending was cut short")


def test_a_started_campaign_is_sent_by_the_worker_once_committed(sending, contact, django_capture_on_commit_callbacks):
    invitation = invite(sending, contact)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_ready.send(sender=Campaign, campaign=sending)
        assert mail.outbox == []  # not before the commit
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.SENT


def test_a_big_campaign_leaves_in_jobs_each_queueing_the_next(sending, monkeypatch):
    from amends.surveys import tasks

    monkeypatch.setattr(tasks, "SEND_PER_JOB", 2)
    for number in range(5):
        invite(sending, customer(number))
    assert tasks.invitations_send_task.enqueue(sending.pk).return_value == {"sent": 2, "failed": 0, "not_sent": 0}
    assert len(mail.outbox) == 5
    assert not Invitation.objects.filter(state=InvitationState.PENDING).exists()


# Messengers: through intake's sender, to a fake platform on 127.0.0.1.

@pytest.fixture
def platform(monkeypatch):
    yield from FakePlatform().serve(monkeypatch)


@pytest.fixture
def chat_card(complaint, platform):
    make_source("telegram", "telegram-bot", outbound_base_url=platform.url, outbound_token="7012:bot-token")
    Complaint.objects.filter(pk=complaint.pk).update(thread_key="telegram:telegram-bot:5120447783", channel="telegram")
    complaint.refresh_from_db()
    return complaint


def test_a_messenger_invitation_goes_to_the_customers_chat(sending, chat_card, platform):
    invitation = invite(sending, chat_card.contact, channel=InvitationChannel.MESSENGER, complaint=chat_card)
    assert invitations_send(now=NOW).sent == 1
    (request,) = platform.requests
    assert request["json"]["chat_id"] == 5120447783 and link_url(invitation.key) in request["json"]["text"]
    assert mail.outbox == []
    outbound = OutboundMessage.objects.get(complaint=chat_card)
    assert outbound.purpose == f"survey:{invitation.pk}" and outbound.sent_at is not None
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.SENT


def test_a_messenger_failure_is_recorded_and_the_same_message_delivered_next_time(sending, chat_card, platform):
    invitation = invite(sending, chat_card.contact, channel=InvitationChannel.MESSENGER, complaint=chat_card)
    platform.status = 500
    assert invitations_send(now=NOW).failed == 1
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING and invitation.attempts == 1 and invitation.error
    assert invitation.sent_at is None and invitation.expires_at is None

    platform.status = 200
    assert invitations_send(now=NOW + timedelta(minutes=5)).sent == 1
    assert OutboundMessage.objects.filter(complaint=chat_card).count() == 1  # delivered again, not written twice
    assert len(platform.requests) == 2
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.SENT and invitation.attempts == 2 and invitation.error == ""


def test_attempts_end_in_failed(sending, chat_card, platform):
    invitation = invite(sending, chat_card.contact, channel=InvitationChannel.MESSENGER, complaint=chat_card)
    platform.status = 500
    for run in range(MAX_ATTEMPTS):
        invitations_send(now=NOW + timedelta(minutes=5 * run))
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.FAILED and invitation.attempts == MAX_ATTEMPTS
    assert invitations_send(now=NOW + timedelta(hours=1)).handled == 0
    assert Campaign.objects.get(pk=sending.pk).state == CampaignState.SENT  # nothing left to send
