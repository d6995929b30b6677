"""Sending the questionnaires: the invitations of started campaigns, their reminders, and the expiry
of their links. The worker does it (tasks.py): a campaign's start queues the sending, and the periodic
job catches up what a stopped worker or a refused mail left.

E-mails leave in batches, each over one SMTP connection. A batch is claimed before its messages leave
— `sent_at` and `expires_at` written and one attempt counted, in one committed transaction — so that
two workers never send an invitation twice. A refusal clears that claim and records the error (FAILED
after MAX_ATTEMPTS) and the batch goes on; a server that cannot be reached stops the run and the next
one takes the rest. Claims left by a worker killed while sending may have gone out: after CLAIM_TIMEOUT
they count as sent, with a note, and are never sent twice.
"""

import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from amends.intake.models import OutboundMessage
from amends.intake.outbound import MESSENGER_SENDERS, MessengerSender, email_subject, outbound_send

from .audience import reason_of
from .choices import CampaignState, InvitationChannel, InvitationState, NotSentReason
from .models import Campaign, Invitation
from .models.policy import policy
from .tokens import link_url

logger = logging.getLogger(__name__)

# Invitations per SMTP connection, claimed together: a worker killed amid a batch leaves at most
# these claims, counted as sent after CLAIM_TIMEOUT (their reminder carries the same link).
BATCH = 100
# Batches sent side by side, each over its own connection: most of a message's time is spent waiting
# for the server's four answers.
PARALLEL = 4
MAX_ATTEMPTS = 3
CLAIM_TIMEOUT = timedelta(minutes=30)
SENT_CHANNELS = (InvitationChannel.EMAIL, InvitationChannel.MESSENGER)
# A post-resolution campaign takes new invitations after its first ones went: SENT campaigns are sent too.
OPEN_CAMPAIGNS = (CampaignState.SENDING, CampaignState.SENT)
# The server refused this message (its address, its sender or its content): the next message may go.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    not_sent: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.not_sent


class ServerTrouble(Exception):
    """The mail server could not be reached or dropped the connection: no message of the run can go."""


# The customer's page that stops the questionnaires is survey:refuse, the link's path + STOP.
STOP = "stop/"


def stop_url(key: str) -> str:
    return link_url(key) + STOP


def invitation_message(invitation: Invitation, *, reminder: bool = False) -> tuple[str, str]:
    """The subject and text of the invitation (or its reminder) in the invitation's language."""
    return _message(invitation, link_url(invitation.key), reminder=reminder)


def _message(invitation: Invitation, link: str, *, reminder: bool) -> tuple[str, str]:
    expires_at = invitation.expires_at or timezone.now() + timedelta(days=policy().link_valid_days)
    version = invitation.campaign.version
    with translation.override(invitation.language):
        text = render_to_string("surveys/mail/invitation.txt", {
            "reminder": reminder, "contact": invitation.contact, "complaint": invitation.complaint,
            "questionnaire": version.questionnaire.localized_name, "intro": version.localized_intro,
            "link": link, "stop_link": link + STOP,
            # Numeric: reads the same in Russian, English and Armenian.
            "expires": timezone.localtime(expires_at).strftime("%d.%m.%Y"),
        })
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _messenger(invitation: Invitation) -> MessengerSender | None:
    complaint = invitation.complaint
    prefix = complaint.thread_key.split(":", 1)[0] if complaint is not None and complaint.thread_key else ""
    return MESSENGER_SENDERS.get(prefix)


def not_sent_reason_now(invitation: Invitation) -> str:
    """Why the invitation cannot go now on its channel ("" when it can): the customer was erased or
    asked not to be contacted since the campaign was made, or their address is gone."""
    reason = reason_of(invitation.contact, invitation.channel)
    if not reason and invitation.channel == InvitationChannel.MESSENGER and _messenger(invitation) is None:
        return NotSentReason.NO_ADDRESS
    return reason


class _Courier:
    """Sends the messages of one batch: e-mails over one SMTP connection, chats through intake."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None

    def __enter__(self) -> "_Courier":
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - the messages are sent and recorded; a failed QUIT changes nothing
                logger.warning("Closing the SMTP connection failed", exc_info=True)

    def deliver(self, invitation: Invitation, purpose: str, *, reminder: bool = False) -> str:
        """Send the message; "" when it went, else why not. ServerTrouble when no e-mail can go."""
        prepared = self.prepare(invitation, purpose, reminder=reminder)
        return prepared if isinstance(prepared, str) else self.send(prepared)

    def prepare(self, invitation: Invitation, purpose: str, *, reminder: bool = False) -> str | EmailMessage:
        """The e-mail to send; a chat's message is sent at once: "" when it went, else why not."""
        try:
            link = link_url(invitation.key)  # made once: reversing a URL costs more than the rest
            subject, text = _message(invitation, link, reminder=reminder)
            if invitation.channel == InvitationChannel.MESSENGER:
                return self._chat(invitation, text, purpose)
            if invitation.complaint is not None:  # a reply threads into the card
                subject = email_subject(invitation.complaint, subject)
            return EmailMessage(subject=subject, body=text, to=[invitation.contact.email], headers={
                "Auto-Submitted": "auto-generated", "List-Unsubscribe": f"<{link + STOP}>",
            })
        except Exception as error:  # noqa: BLE001 - recorded on the invitation; the batch goes on
            logger.exception("Survey invitation %s could not be sent", invitation.pk)
            return f"{type(error).__name__}: {error}"

    def send(self, mail: EmailMessage) -> str:
        """"" when the server took it, else its refusal; ServerTrouble when it cannot be reached."""
        for last_try in (False, True):  # a connection the server dropped is opened once more
            try:
                if self.connection is None:
                    self.connection = get_connection(fail_silently=False)
                    self.connection.open()
                self.connection.send_messages([mail])
                return ""
            except REFUSED as error:
                return str(error)
            except OSError as error:  # smtplib's errors are OSErrors: the server, not this message
                self.__exit__()
                self.connection = None
                if last_try:
                    raise ServerTrouble(f"{type(error).__name__}: {error}") from error
            except Exception as error:  # noqa: BLE001 - this message (an address that cannot be written)
                return f"{type(error).__name__}: {error}"
        raise AssertionError("unreachable")

    def send_all(self, mails: list[EmailMessage]) -> list[str | ServerTrouble]:
        """Each mail's outcome, over this courier's connection, closed at the end (run in a thread)."""
        outcomes: list[str | ServerTrouble] = []
        with self:
            for mail in mails:
                try:
                    outcomes.append(self.send(mail))
                except ServerTrouble as trouble:
                    return outcomes + [trouble] * (len(mails) - len(outcomes))
        return outcomes

    def _chat(self, invitation: Invitation, text: str, purpose: str) -> str:
        """Through intake's messenger sender, once: a message it failed to deliver is delivered again
        (intake's retry may have done it already), never written a second time."""
        sender = _messenger(invitation)
        if sender is None or invitation.complaint is None:
            return gettext("No messenger chat to send to.")
        outbound = OutboundMessage.objects.filter(complaint=invitation.complaint, purpose=purpose).first()
        if outbound is None:
            outbound = sender(invitation.complaint, text)
            if outbound is None:
                return gettext("No messenger chat to send to.")
            OutboundMessage.objects.filter(pk=outbound.pk).update(purpose=purpose)
        elif outbound.sent_at is None:
            outbound_send(outbound)
            outbound.refresh_from_db()
        return "" if outbound.sent_at is not None else (outbound.error or gettext("Not sent."))


def _waiting(campaign_id: int | None) -> QuerySet[Invitation]:
    waiting = Invitation.objects.filter(
        state=InvitationState.PENDING, channel__in=SENT_CHANNELS, sent_at__isnull=True,
        campaign__state__in=OPEN_CAMPAIGNS,
    )
    return waiting if campaign_id is None else waiting.filter(campaign_id=campaign_id)


def invitations_send(*, campaign_id: int | None = None, limit: int | None = None,
                     now: datetime | None = None) -> SendResult:
    """Send the waiting e-mail and messenger invitations of the started campaigns (of one campaign
    when `campaign_id`), at most `limit`, each tried once in a run. Post, fax and phone invitations
    stay with the staff, who ask those customers."""
    result = SendResult()
    _cut_short_settle(now or timezone.now())
    after = 0
    valid_days = policy().link_valid_days
    with ThreadPoolExecutor(PARALLEL) as pool:
        while limit is None or result.handled < limit:
            size = BATCH * PARALLEL if limit is None else min(BATCH * PARALLEL, limit - result.handled)
            rows = list(
                _waiting(campaign_id).filter(pk__gt=after).select_related(
                    "contact", "complaint", "campaign__version__questionnaire",
                ).order_by("pk")[:size]
            )
            if not rows:
                break
            after = rows[-1].pk
            batches = [rows[start:start + BATCH] for start in range(0, len(rows), BATCH)]
            if not _send_batches(batches, pool, now, valid_days, result):
                break
    _campaigns_finish(campaign_id)
    return result


def _send_batches(batches: list[list[Invitation]], pool: ThreadPoolExecutor, now: datetime | None,
                  valid_days: int, result: SendResult) -> bool:
    """Claim and write each batch here, send them at once, each over its own SMTP connection in a
    thread of `pool` (the server's answers are waited for side by side), then record the outcomes
    here. False when the server could not be reached: the rest waits for the next run."""
    sent_at = now or timezone.now()
    went: list[int] = []
    trouble = False
    try:
        prepared: list[tuple[_Courier, list[tuple[Invitation, EmailMessage]]]] = []
        for rows in batches:
            courier, mails = _Courier(), []
            for invitation in _claim(_not_sent_set_aside(rows, result), sent_at, sent_at + timedelta(days=valid_days)):
                outcome = courier.prepare(invitation, f"survey:{invitation.pk}")
                if isinstance(outcome, EmailMessage):
                    mails.append((invitation, outcome))
                else:
                    _record(invitation, outcome, went, result)
            prepared.append((courier, mails))
        sending = [pool.submit(courier.send_all, [mail for _invitation, mail in mails]) for courier, mails in prepared]
        for (_courier, mails), future in zip(prepared, sending, strict=True):
            for (invitation, _mail), sent in zip(mails, future.result(), strict=True):
                if isinstance(sent, ServerTrouble):
                    trouble = True
                    _release(invitation, str(sent), count=False)
                    result.failed += 1
                else:
                    _record(invitation, sent, went, result)
    finally:
        result.sent += Invitation.objects.filter(pk__in=went).update(state=InvitationState.SENT)
    if trouble:
        logger.warning("Survey invitations wait for the mail server.")
    return not trouble


def _record(invitation: Invitation, error: str, went: list[int], result: SendResult) -> None:
    if error:
        _release(invitation, error)
        result.failed += 1
    else:
        went.append(invitation.pk)


def _not_sent_set_aside(rows: list[Invitation], result: SendResult) -> list[Invitation]:
    """Mark NOT_SENT, with the reason, the invitations whose customer cannot be sent to now."""
    reasons = {row.pk: not_sent_reason_now(row) for row in rows}
    for reason in set(reasons.values()) - {""}:
        result.not_sent += _waiting(None).filter(pk__in=[pk for pk, why in reasons.items() if why == reason]).update(
            state=InvitationState.NOT_SENT, not_sent_reason=reason,
        )
    return [row for row in rows if not reasons[row.pk]]


def _claim(rows: list[Invitation], sent_at: datetime, expires_at: datetime) -> list[Invitation]:
    """The rows no other worker has taken, claimed in one transaction (SQLite's takes the database;
    PostgreSQL's skips the rows another worker holds)."""
    with transaction.atomic():
        pks = set(_waiting(None).filter(pk__in=[row.pk for row in rows]).select_for_update(
            skip_locked=True, of=("self",),
        ).values_list("pk", flat=True))
        Invitation.objects.filter(pk__in=pks).update(
            sent_at=sent_at, expires_at=expires_at, attempts=F("attempts") + 1, error="",
        )
    claimed = [row for row in rows if row.pk in pks]
    for row in claimed:
        row.sent_at, row.expires_at, row.attempts = sent_at, expires_at, row.attempts + 1
    return claimed


def _release(invitation: Invitation, error: str, *, count: bool = True) -> None:
    """The message did not go: the invitation waits again, FAILED after MAX_ATTEMPTS counted refusals."""
    attempts = invitation.attempts if count else invitation.attempts - 1
    state = InvitationState.FAILED if attempts >= MAX_ATTEMPTS else InvitationState.PENDING
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=None, expires_at=None, attempts=attempts, error=error[:2000], state=state,
    )


def _cut_short_settle(now: datetime) -> int:
    """Claims no worker finished: the message may have gone, so it counts as sent, with a note."""
    return Invitation.objects.filter(
        state=InvitationState.PENDING, sent_at__lt=now - CLAIM_TIMEOUT, error="",
    ).update(state=InvitationState.SENT, error=gettext("Sending was cut short: it may not have reached the customer."))


def _campaigns_finish(campaign_id: int | None) -> int:
    """A sending campaign with nothing left to send becomes SENT."""
    sending = Campaign.objects.filter(state=CampaignState.SENDING)
    if campaign_id is not None:
        sending = sending.filter(pk=campaign_id)
    pending = Invitation.objects.filter(
        campaign=OuterRef("pk"), state=InvitationState.PENDING, channel__in=SENT_CHANNELS,
    )
    return sending.exclude(Exists(pending)).update(state=CampaignState.SENT)


def invitations_remind(now: datetime | None = None) -> int:
    """Remind the customers who have not answered: the same link, at most `reminders_max` times,
    `reminder_after_days` after the invitation or the last reminder. Returns how many went."""
    now = now or timezone.now()
    rules = policy()
    due = Invitation.objects.filter(
        state=InvitationState.SENT, answered_at__isnull=True, expires_at__gt=now, channel__in=SENT_CHANNELS,
        reminders__lt=rules.reminders_max, campaign__state__in=OPEN_CAMPAIGNS,
        contact__erased_at__isnull=True, contact__contact_refused_at__isnull=True,
    ).alias(last=Coalesce("reminded_at", "sent_at")).filter(last__lte=now - timedelta(days=rules.reminder_after_days))
    reminded, after = 0, 0
    while True:
        rows = list(due.filter(pk__gt=after).select_related(
            "contact", "complaint", "campaign__version__questionnaire",
        ).order_by("pk")[:BATCH])
        if not rows:
            return reminded
        after = rows[-1].pk
        with _Courier() as courier:
            for invitation in rows:
                if not_sent_reason_now(invitation):
                    continue
                mine = Invitation.objects.filter(pk=invitation.pk, reminders=invitation.reminders)
                if not mine.update(reminders=F("reminders") + 1, reminded_at=now):
                    continue  # another worker reminded them
                try:
                    error = courier.deliver(
                        invitation, f"survey:{invitation.pk}:{invitation.reminders + 1}", reminder=True,
                    )
                except ServerTrouble as trouble:  # not counted: the next run reminds them
                    Invitation.objects.filter(pk=invitation.pk).update(
                        reminders=invitation.reminders, reminded_at=invitation.reminded_at,
                    )
                    logger.warning("Survey reminders wait for the mail server: %s", trouble)
                    return reminded
                if error:  # counted all the same: the next reminder is due after the usual days
                    Invitation.objects.filter(pk=invitation.pk).update(error=error[:2000])
                else:
                    reminded += 1


def invitations_expire(now: datetime | None = None) -> int:
    """Sent (or failed) invitations past their link's expiry become EXPIRED; returns how many."""
    now = now or timezone.now()
    return Invitation.objects.filter(
        state__in=[InvitationState.SENT, InvitationState.FAILED], expires_at__lte=now,
    ).update(state=InvitationState.EXPIRED)
