"""Reminders to the customers who have not answered, the links' expiry, and the periodic job."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from amends.customers.models import Contact
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the fixture
from amends.surveys.choices import CampaignState, InvitationChannel, InvitationState
from amends.surveys.models import Campaign, Invitation, SurveyPolicy
from amends.surveys.sending import invitations_expire, invitations_remind
from amends.surveys.tokens import invitation_key, link_url

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def sent_campaign(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENT)
    return campaign


def sent(campaign, number: int, **fields) -> Invitation:
    contact_fields = {key: fields.pop(key) for key in ("contact_refused_at", "erased_at") if key in fields}
    fields.setdefault("state", InvitationState.SENT)
    fields.setdefault("channel", InvitationChannel.EMAIL)
    fields.setdefault("sent_at", SENT)
    fields.setdefault("expires_at", SENT + timedelta(days=30))
    return Invitation.objects.create(
        campaign=campaign, key=invitation_key(), language="en",
        contact=Contact.objects.create(full_name=f"Customer {number}", email=f"c{number}@example.ru", **contact_fields),
        **fields,
    )


def test_a_reminder_goes_after_the_days_with_the_same_link_and_at_most_the_policys_number(sent_campaign):
    invitation = sent(sent_campaign, 1)
    assert invitations_remind(SENT + timedelta(days=7) - timedelta(seconds=1)) == 0  # not yet: 7 days
    assert invitations_remind(SENT + timedelta(days=7)) == 1
    (reminder,) = mail.outbox
    assert reminder.subject == "Reminder: Customer satisfaction" and reminder.to == ["c1@example.ru"]
    assert link_url(invitation.key) in reminder.body and "31.12.2026" in reminder.body
    invitation.refresh_from_db()
    assert (invitation.reminders, invitation.reminded_at) == (1, SENT + timedelta(days=7))

    assert invitations_remind(SENT + timedelta(days=8)) == 0  # 7 days after the last reminder
    assert invitations_remind(SENT + timedelta(days=14)) == 1
    assert invitations_remind(SENT + timedelta(days=21)) == 0  # reminders_max = 2
    assert len(mail.outbox) == 2 and Invitation.objects.get(pk=invitation.pk).reminders == 2


def test_the_policy_sets_the_days_and_the_number(sent_campaign):
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"reminder_after_days": 3, "reminders_max": 1})
    sent(sent_campaign, 1)
    assert invitations_remind(SENT + timedelta(days=3)) == 1
    assert invitations_remind(SENT + timedelta(days=6)) == 0


def test_no_reminder_to_who_answered_expired_refused_or_was_erased_or_not_sent(sent_campaign, version):
    due = SENT + timedelta(days=10)
    sent(sent_campaign, 1, state=InvitationState.ANSWERED, answered_at=SENT + timedelta(days=1))
    sent(sent_campaign, 2, expires_at=due)
    sent(sent_campaign, 3, contact_refused_at=SENT + timedelta(days=2))
    sent(sent_campaign, 4, erased_at=SENT + timedelta(days=2))
    sent(sent_campaign, 5, state=InvitationState.FAILED, sent_at=None, expires_at=None)
    sent(sent_campaign, 6, channel=InvitationChannel.PAPER)
    closed = Campaign.objects.create(kind=sent_campaign.kind, version=version, state=CampaignState.CLOSED)
    sent(closed, 7)
    reminded = sent(sent_campaign, 8)
    assert invitations_remind(due) == 1
    assert [m.to for m in mail.outbox] == [["c8@example.ru"]]
    assert Invitation.objects.filter(reminders__gt=0).get() == reminded


def test_a_refused_reminder_is_recorded_and_the_others_go(sent_campaign, smtp_server):  # noqa: F811
    smtp_server.refused = {"c2@example.ru"}
    first, refused, third = (sent(sent_campaign, number) for number in (1, 2, 3))
    assert invitations_remind(SENT + timedelta(days=7)) == 2
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == ["c1@example.ru", "c3@example.ru"]
    assert len(set(smtp_server.sessions)) == 1
    refused.refresh_from_db()
    # Counted: the next reminder is due after the usual days, not at the next run.
    assert refused.reminders == 1 and "No such mailbox" in refused.error and refused.state == InvitationState.SENT
    assert invitations_remind(SENT + timedelta(days=7, minutes=5)) == 0


def test_links_past_their_expiry_expire_and_nothing_else_does(sent_campaign):
    now = SENT + timedelta(days=30)
    past = sent(sent_campaign, 1)  # expires exactly now: the link no longer answers (recording.invitation_open)
    failed_past = sent(sent_campaign, 2, state=InvitationState.FAILED)
    later = sent(sent_campaign, 3, expires_at=now + timedelta(seconds=1))
    answered = sent(sent_campaign, 4, state=InvitationState.ANSWERED)
    refused = sent(sent_campaign, 5, state=InvitationState.FAILED, expires_at=None)
    assert invitations_expire(now) == 2
    states = dict(Invitation.objects.values_list("pk", "state"))
    assert states[past.pk] == states[failed_past.pk] == InvitationState.EXPIRED
    assert (states[later.pk], states[answered.pk], states[refused.pk]) == (
        InvitationState.SENT, InvitationState.ANSWERED, InvitationState.FAILED,
    )
    assert invitations_expire(now) == 0


def test_the_periodic_job_expires_sends_what_was_left_and_reminds(campaign, monkeypatch):
    from amends.jobs import schedule, tasks

    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING)
    now = timezone.now()
    left = sent(campaign, 1, state=InvitationState.PENDING, sent_at=None, expires_at=None)
    expiring = sent(campaign, 2, sent_at=now - timedelta(days=31), expires_at=now - timedelta(days=1))
    due = sent(campaign, 3, sent_at=now - timedelta(days=8), expires_at=now + timedelta(days=22))

    job = next(job for job in schedule.PERIODIC if job.name == "surveys_mail")
    assert job.every == timedelta(minutes=5)
    assert tasks.surveys_mail_task.enqueue().return_value == {
        "expired": 1, "sent": {"sent": 1, "failed": 0, "not_sent": 0}, "reminded": 1,
    }
    states = dict(Invitation.objects.values_list("pk", "state"))
    assert (states[left.pk], states[expiring.pk], states[due.pk]) == (
        InvitationState.SENT, InvitationState.EXPIRED, InvitationState.SENT,
    )
    assert sorted(m.subject for m in mail.outbox) == ["Customer satisfaction", "Reminder: Customer satisfaction"]
