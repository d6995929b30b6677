"""Invitations to a real SMTP server (aiosmtpd) on 127.0.0.1: one connection per batch, a refused
address recorded on its invitation while the others leave, an unreachable server waited for."""

from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from amends.customers.models import Contact
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the fixture
from amends.surveys.choices import CampaignState, InvitationChannel, InvitationState
from amends.surveys.models import Campaign, Invitation
from amends.surveys.sending import MAX_ATTEMPTS, invitations_send
from amends.surveys.tokens import invitation_key, link_url
from tests.harness.dovecot import free_port

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def invitations(campaign) -> list[Invitation]:
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING)
    return [
        Invitation.objects.create(
            campaign=campaign, key=invitation_key(), language="ru", channel=InvitationChannel.EMAIL,
            contact=Contact.objects.create(full_name=f"Клиент {i}", email=f"survey{i}@example.ru"),
        )
        for i in range(5)
    ]


def test_a_batch_goes_over_one_connection_and_a_refused_address_does_not_stop_it(invitations, smtp_server):  # noqa: F811
    smtp_server.refused = {"survey2@example.ru"}
    unwritable = Invitation.objects.create(
        campaign=invitations[0].campaign, key=invitation_key(), language="ru", channel=InvitationChannel.EMAIL,
        contact=Contact.objects.create(full_name="Импорт", email="a@b@example.ru"),  # came in by an import
    )
    result = invitations_send(now=NOW)
    assert (result.sent, result.failed) == (4, 2)
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == [f"survey{i}@example.ru" for i in (0, 1, 3, 4)]
    unwritable.refresh_from_db()
    assert unwritable.attempts == 1 and "Invalid address" in unwritable.error
    assert len(set(smtp_server.sessions)) == 1
    first = message_from_bytes(smtp_server.envelopes[0].original_content, policy=policy.default)
    assert link_url(invitations[0].key) in first.get_body(("plain",)).get_content()
    assert first["Auto-Submitted"] == "auto-generated"

    refused = Invitation.objects.get(contact__email="survey2@example.ru")
    assert refused.state == InvitationState.PENDING and refused.attempts == 1 and "No such mailbox" in refused.error
    assert refused.sent_at is None and refused.expires_at is None
    assert Invitation.objects.filter(state=InvitationState.SENT).count() == 4
    assert Campaign.objects.get().state == CampaignState.SENDING  # two still to send

    for run in range(1, MAX_ATTEMPTS):
        invitations_send(now=NOW + timedelta(minutes=5 * run))
    refused.refresh_from_db()
    assert refused.state == InvitationState.FAILED and refused.attempts == MAX_ATTEMPTS
    assert len(smtp_server.envelopes) == 4  # the others were never sent again
    assert Campaign.objects.get().state == CampaignState.SENT


def test_an_unreachable_server_stops_the_run_counts_no_attempt_and_the_next_run_sends(invitations, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    result = invitations_send(now=NOW)
    assert (result.sent, result.failed) == (0, 5)  # the run stopped, none counted an attempt
    for invitation in Invitation.objects.all():  # each says why it waits; none counted an attempt
        assert invitation.state == InvitationState.PENDING and invitation.attempts == 0
        assert "refused" in invitation.error.lower() and invitation.sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations_send(now=NOW + timedelta(minutes=5)).sent == 5
    assert Invitation.objects.filter(state=InvitationState.SENT, attempts=1, error="").count() == 5


def test_batches_leave_side_by_side_each_over_its_own_connection(invitations, smtp_server, monkeypatch):  # noqa: F811
    from amends.surveys import sending

    monkeypatch.setattr(sending, "BATCH", 2)
    greetings = []

    async def handle_EHLO(server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook
        greetings.append(hostname)  # once per connection
        session.host_name = hostname
        return responses

    smtp_server.handle_EHLO = handle_EHLO
    assert invitations_send(now=NOW).sent == 5
    assert len(smtp_server.envelopes) == 5 and len(greetings) == 3  # 2 + 2 + 1
    assert Invitation.objects.filter(state=InvitationState.SENT, attempts=1).count() == 5
