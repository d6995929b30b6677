"""Sending the answer letter to the customer, on each way they can receive it (DOMAIN.md §4, §6).

`answer_send` checks the letter (checks.letter_problems), takes the card's `answer` step for a
final outcome, and starts a Delivery per channel. E-mail and messenger messages are sent by intake
after the commit and retried by its worker; intake tells `outbound_followed` how each attempt went.
A delivery is recorded as sent (timeline, `answer_delivered`) only when it left: the mail server or
the platform took it, it was published on the tracking page, posted, or said to the customer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.access import ANSWER, access_write
from amends.complaints.choices import FINAL_STATES, ORAL_CHANNELS, Channel, State
from amends.complaints.events import event_answer_sent
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_transition
from amends.complaints.signals import answer_delivered
from amends.core.errors import TransitionNotAllowed
from amends.intake.models import OutboundAttachment, OutboundMessage
from amends.intake.outbound import MESSENGER_SENDERS, WRITTEN, email_subject, outbound_send, tracking_url

from .checks import Problem, letter_problems
from .choices import FINAL_OUTCOMES
from .documents import DocumentError, file_name, letter_pdf
from .models import Delivery, DeliveryChannel, DeliveryStatus, Letter

PDF = "application/pdf"
# Channels that leave the moment they are recorded: the page shows the letter at once, and an oral
# answer is given as it is written down.
AT_ONCE = frozenset({DeliveryChannel.TRACKING, DeliveryChannel.ORAL})
# A complaint made in person or by letter is answered by post (the envelope address block).
POST_CHANNELS = frozenset({Channel.LETTER, Channel.FAX, Channel.IN_PERSON})


class AnswerRefused(ValidationError):
    """The letter cannot go as it is: `problems` lists why (each with where it is put right);
    `blocking` False means a reason to send it anyway is all that is missing."""

    def __init__(self, message: str, problems: list[Problem], *, blocking: bool):
        super().__init__([message] + [problem.message for problem in problems])
        self.problems, self.blocking = problems, blocking


@dataclass(frozen=True)
class Offer:
    channel: str
    recipient: str  # what the delivery records: an address, a chat, a page
    shown_as: str  # the recipient as the send panel names it

    @property
    def label(self) -> str:
        return str(DeliveryChannel(self.channel).label)


def messenger_prefix(complaint: Complaint) -> str:
    prefix = complaint.thread_key.split(":", 1)[0] if complaint.thread_key else ""
    return prefix if prefix in MESSENGER_SENDERS else ""


def channels_offered(complaint: Complaint) -> list[Offer]:
    """The ways this customer can receive the answer: e-mail when we have their address, their chat
    when they wrote from one, the tracking page always, post when we have a postal address or they
    came by letter or in person, and an oral answer only to a complaint made orally (a complaint
    made in writing gets a written answer)."""
    contact = complaint.contact
    offers = []
    if contact is not None and contact.email:
        offers.append(Offer(DeliveryChannel.EMAIL, contact.email, contact.email))
    if messenger_prefix(complaint):
        offers.append(Offer(DeliveryChannel.MESSENGER, complaint.thread_key, complaint.get_channel_display()))
    offers.append(Offer(
        DeliveryChannel.TRACKING, f"/track/{complaint.number}/", _("the customer's tracking page"),
    ))
    address = contact.address.strip() if contact is not None else ""
    if address or complaint.channel in POST_CHANNELS:
        offers.append(Offer(DeliveryChannel.POST, address, address or _("no postal address yet")))
    if complaint.channel in ORAL_CHANNELS:
        name = contact.full_name if contact is not None else ""
        offers.append(Offer(DeliveryChannel.ORAL, name, name or complaint.get_channel_display()))
    return offers


def _offer(complaint: Complaint, channel: str) -> Offer:
    offer = next((o for o in channels_offered(complaint) if o.channel == channel), None)
    if offer is None and channel == DeliveryChannel.ORAL:
        raise ValidationError({"channel": _("A complaint made in writing gets a written answer, not an oral one.")})
    if offer is None:
        raise ValidationError({"channel": _("This customer cannot receive the answer that way.")})
    if channel == DeliveryChannel.POST and not offer.recipient:
        raise ValidationError({"channel": _("Add the customer's postal address to send the letter by post.")})
    return offer


def letter_checked(letter: Letter, reason: str) -> None:
    """Refuse a letter with blocking problems, and one with only overridable findings unless a reason is given."""
    problems = letter_problems(letter)
    if any(not problem.overridable for problem in problems):
        raise AnswerRefused(_("The letter cannot be sent yet:"), problems, blocking=True)
    if problems and not reason.strip():
        raise AnswerRefused(_("Give a reason to send the letter despite these findings:"), problems, blocking=False)


@transaction.atomic
def answer_send(*, letter: Letter, actor: User, channel: str, reason: str = "") -> Delivery:
    """Send the letter on one channel. A final outcome takes the card's `answer` step (once, with the
    letter as the answer); its clocks are met when a delivery leaves, not now."""
    complaint = Complaint.objects.select_related("contact").get(pk=letter.complaint_id)
    access_write(actor, complaint, ANSWER)
    if complaint.state in FINAL_STATES:
        raise TransitionNotAllowed(_("Complaint %(number)s is %(state)s: no answer is sent any more.") % {
            "number": complaint.number, "state": complaint.get_state_display().lower(),
        })
    offer = _offer(complaint, channel)
    # Two sends of one letter wait for each other here, so the second sees the first's delivery.
    Letter.objects.select_for_update().filter(pk=letter.pk).first()
    if letter.deliveries.filter(channel=channel).exists():
        raise TransitionNotAllowed(_(
            "This letter has already gone, or is on its way, by %(channel)s: a failed delivery is retried instead."
        ) % {"channel": DeliveryChannel(channel).label.lower()})
    letter_checked(letter, reason)
    pdf = _letter_document(letter, channel)
    final = letter.outcome in FINAL_OUTCOMES
    if final and complaint.state != State.ANSWERED:
        complaint = complaint_transition(
            complaint=complaint, name="answer", actor=actor, data={"answer_text": letter.body},
            awaits_delivery=True,
        )
    Letter.objects.filter(pk=letter.pk).update(tone_reason=reason.strip(), sent_by=actor)
    letter.tone_reason, letter.sent_by = reason.strip(), actor
    delivery = Delivery.objects.create(
        letter=letter, channel=channel, recipient=offer.recipient, final=final, sent_by=actor,
    )
    if channel in AT_ONCE:
        _record_sent(delivery, timezone.now())
    elif channel in (DeliveryChannel.EMAIL, DeliveryChannel.MESSENGER):
        outbound = _outbound(delivery, complaint, pdf)
        transaction.on_commit(lambda: outbound_send(outbound))
    else:  # post: printed, then marked as posted when it left
        Delivery.objects.filter(pk=delivery.pk).update(attachments=[letter_file_name(letter, for_post=True)])
        delivery.attachments = [letter_file_name(letter, for_post=True)]
    return delivery


def _letter_document(letter: Letter, channel: str) -> bytes:
    """The letter's PDF, made before anything is recorded: a letter whose document cannot be made (a
    character no font has, no postal address for the envelope) is refused, not sent half-way."""
    if channel == DeliveryChannel.ORAL:
        return b""
    try:
        return letter_pdf(letter, for_post=channel == DeliveryChannel.POST)
    except DocumentError as error:
        raise ValidationError(str(error)) from error


def letter_file_name(letter: Letter, *, for_post: bool = False) -> str:
    return file_name(letter, "post.pdf" if for_post else "pdf")


def _outbound(delivery: Delivery, complaint: Complaint, pdf: bytes) -> OutboundMessage:
    """The e-mail (the letter in the body, its PDF and enclosures attached, threaded to the customer's
    mail) or the chat message (the letter and the tracking link) that carries the delivery."""
    letter = delivery.letter
    if delivery.channel == DeliveryChannel.MESSENGER:
        with translation.override(letter.language):
            link = _("The letter and its PDF are on your complaint's page: %(url)s") % {"url": tracking_url(complaint)}
        outbound = OutboundMessage.objects.create(
            complaint=complaint, channel=complaint.channel, recipient=delivery.recipient,
            body=f"{letter.body.strip()}\n\n{link}", purpose=WRITTEN,
        )
        names: list[str] = []
    else:
        outbound = OutboundMessage.objects.create(
            complaint=complaint, channel="email", recipient=delivery.recipient, purpose=WRITTEN,
            subject=email_subject(complaint, letter.subject), body=letter.body,
            message_id=make_msgid(domain=settings.AMENDS_MAIL_DOMAIN),
        )
        files = [(letter_file_name(letter), PDF, pdf)] + [
            (enclosure.original_name, enclosure.content_type or "application/octet-stream", _read(enclosure.file))
            for enclosure in letter.enclosures.all()
        ]
        OutboundAttachment.objects.bulk_create([
            OutboundAttachment(message=outbound, name=name, content_type=kind, content=content)
            for name, kind, content in files
        ])
        names = [name for name, _kind, _content in files]
    Delivery.objects.filter(pk=delivery.pk).update(outbound=outbound, attachments=names)
    delivery.outbound, delivery.attachments = outbound, names
    return outbound


def _read(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


def _record_sent(delivery: Delivery, at: datetime) -> None:
    """The delivery left at `at`: on the timeline exactly as sent, and announced so the clocks are met."""
    letter = delivery.letter
    complaint = letter.complaint
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=at, error="")
    delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, at, ""
    Letter.objects.filter(pk=letter.pk, sent_at__isnull=True).update(sent_at=at)
    event = event_answer_sent(complaint, delivery.sent_by, delivery.channel, {
        "channel": delivery.channel, "recipient": delivery.recipient, "subject": letter.subject,
        "text": delivery.outbound.body if delivery.outbound else letter.body,
        "attachments": delivery.attachments, "at": at.isoformat(), "reason": letter.tone_reason,
    })
    answer_delivered.send(sender=Complaint, complaint=complaint, event=event, at=at, final=delivery.final)


def outbound_followed(outbounds: Sequence[OutboundMessage]) -> None:
    """Intake tried to send messages: each that carries a delivery, the delivery follows its result.
    One query tells which do (a batch's acknowledgements carry none)."""
    by_pk = {outbound.pk: outbound for outbound in outbounds}
    carrying = Delivery.objects.filter(outbound_id__in=by_pk).exclude(status=DeliveryStatus.SENT)
    for outbound_id in carrying.values_list("outbound_id", flat=True).order_by("outbound_id"):
        _delivery_follows(by_pk[outbound_id])


def _delivery_follows(outbound: OutboundMessage) -> None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("letter__complaint", "outbound", "sent_by")
            .filter(outbound_id=outbound.pk).exclude(status=DeliveryStatus.SENT).first()
        )
        if delivery is None:  # recorded meanwhile by another process
            return
        Delivery.objects.filter(pk=delivery.pk).update(attempts=outbound.attempts)
        if outbound.sent_at is not None:
            _record_sent(delivery, outbound.sent_at)
        else:
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=outbound.error)


def delivery_retry(*, delivery: Delivery, actor: User) -> Delivery:
    """"Retry now" for a failed e-mail or messenger delivery. The worker retries them too: the message
    is claimed before it is sent (`outbound_send`), so of the two only one sends it."""
    access_write(actor, delivery.letter.complaint, ANSWER)
    delivery.refresh_from_db()
    if delivery.status != DeliveryStatus.FAILED or delivery.outbound_id is None:
        raise ValidationError(_("Only a failed e-mail or messenger delivery is sent again."))
    outbound_send(OutboundMessage.objects.get(pk=delivery.outbound_id))
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def delivery_posted(*, delivery: Delivery, actor: User, posted_on: date) -> Delivery:
    """The printed letter was posted on `posted_on`: it left then, and its clocks are met then."""
    delivery = Delivery.objects.select_for_update().select_related("letter__complaint").get(pk=delivery.pk)
    access_write(actor, delivery.letter.complaint, ANSWER)
    if delivery.channel != DeliveryChannel.POST or delivery.status == DeliveryStatus.SENT:
        raise TransitionNotAllowed(_("Only a letter for post that has not been marked as posted can be marked."))
    now = timezone.localtime()
    created = timezone.localtime(delivery.created_at)
    if posted_on > now.date() or posted_on < created.date():
        raise ValidationError({"posted_on": _("The letter was posted between %(start)s and today.") % {
            "start": created.date().isoformat(),
        }})
    # A day before today: the end of that day, so a clock is never met earlier than the letter left.
    at = now if posted_on == now.date() else timezone.make_aware(datetime.combine(posted_on, time(23, 59)))
    _record_sent(delivery, max(at, delivery.created_at))
    return delivery
