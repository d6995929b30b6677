"""Sending the answer: a real SMTP server, the fake messenger platform, the tracking page, post and
an oral answer; the clocks are met only when the answer left."""

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from amends.answers import checks
from amends.answers.checks import Problem
from amends.answers.choices import Outcome
from amends.answers.delivery import AnswerRefused, answer_send, channels_offered, delivery_posted, delivery_retry
from amends.answers.models import DeliveryChannel, DeliveryStatus, Letter
from amends.complaints.choices import Channel, EventKind, Justification, State
from amends.complaints.models import Complaint
from amends.core.errors import AccessDenied, TransitionNotAllowed
from amends.customers.services import contact_create
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import Clock
from amends.deadlines.tests.conftest import _english, _no_automatic_duplicate_links  # noqa: F401 - autouse
from amends.intake.channels.email.services import MAILGATE_SOURCE, email_receive
from amends.intake.models import OutboundMessage
from amends.intake.outbound import customer_last_message_id, outbound_retry_failed, outbound_send
from amends.intake.tests.test_webhooks_support import FakePlatform, deliver, make_source

FIXTURES = Path(__file__).resolve().parents[2] / "intake" / "tests" / "fixtures" / "email"
UNJUSTIFIED = Justification.UNJUSTIFIED


@pytest.fixture(autouse=True)
def _delivery_alone(monkeypatch):
    """The checks a letter passes before it goes are tested with their parts (elements, tone,
    compensation); here the letters are short, and only a test that registers a check runs one."""
    monkeypatch.setattr(checks, "_CHECKS", {})


@pytest.fixture
def fake_platform(monkeypatch):
    yield from FakePlatform().serve(monkeypatch)


@pytest.fixture
def make_letter(responsible):
    def make(complaint, outcome=Outcome.REFUSED, **fields) -> Letter:
        fields.setdefault("subject", "Your complaint")
        fields.setdefault("body", "Thank you for writing to us. We checked the delivery: it was on time.")
        return Letter.objects.create(
            complaint=complaint, outcome=outcome, language="en", created_by=responsible, signed_by=responsible,
            **fields,
        )

    return make


def clocks(complaint) -> dict:
    return {clock.kind: clock for clock in Clock.objects.filter(complaint=complaint)}


def sent_events(complaint):
    return list(complaint.events.filter(kind=EventKind.ANSWER_SENT))


@pytest.fixture
def emailed_card(db, walk, django_capture_on_commit_callbacks, smtp_server):
    """A card registered from the customer's e-mail (their Message-ID on record), decided unjustified."""
    with django_capture_on_commit_callbacks(execute=True):
        receipt = email_receive(raw=(FIXTURES / "koi8r_8bit.eml").read_bytes(), source=MAILGATE_SOURCE)
    smtp_server.envelopes.clear()  # the acknowledgement
    return walk(receipt.message.complaint, State.DECIDED, justification=UNJUSTIFIED)


def test_the_answer_goes_by_email_with_its_pdf_threaded_to_the_customers_mail(
    emailed_card, make_letter, responsible, smtp_server, django_capture_on_commit_callbacks,
):
    letter = make_letter(emailed_card)
    assert clocks(emailed_card)[ClockKind.FIRST_RESPONSE].met_at is None
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.EMAIL)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["kuznetsov@mail.example.net"]
    sent = message_from_bytes(envelope.original_content, policy=policy.default)
    assert sent["Subject"] == f"[#{emailed_card.number}] Your complaint"
    customer_mail = customer_last_message_id(emailed_card.pk)
    assert customer_mail.startswith("<") and sent["In-Reply-To"] == sent["References"] == customer_mail
    assert sent["Auto-Submitted"] is None  # a person's answer, not automatic mail
    assert "it was on time" in sent.get_body(("plain",)).get_content()
    (pdf,) = list(sent.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"letter-{emailed_card.number.replace('/', '-')}-1.pdf"
    assert pdf.get_content().startswith(b"%PDF")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1 and delivery.sent_at is not None
    card = Complaint.objects.get(pk=emailed_card.pk)
    assert card.state == State.ANSWERED and card.answer_text == letter.body
    first = clocks(card)[ClockKind.FIRST_RESPONSE]
    assert first.met_at == delivery.sent_at
    (event,) = sent_events(card)
    assert event.actor == responsible
    assert "Sent by e-mail to kuznetsov@mail.example.net" in event.text_display
    assert f"Attachments: {pdf.get_filename()}" in event.text_display and "it was on time" in event.text_display


def test_a_failed_email_stays_unsent_and_visible_until_a_retry_sends_it(
    emailed_card, make_letter, responsible, smtp_server, client, django_capture_on_commit_callbacks,
):
    smtp_server.refused.add("kuznetsov@mail.example.net")
    letter = make_letter(emailed_card)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.EMAIL)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1 and "550" in delivery.error
    card = Complaint.objects.get(pk=emailed_card.pk)
    assert card.state == State.ANSWERED  # recorded, on its way
    assert clocks(card)[ClockKind.FIRST_RESPONSE].met_at is None and not sent_events(card)

    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    page = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert "delivery-failed" in page and "550" in page and "Retry now" in page

    # Still refused: "retry now" says so and keeps it failed.
    assert delivery_retry(delivery=delivery, actor=responsible).status == DeliveryStatus.FAILED
    smtp_server.refused.clear()
    assert outbound_retry_failed(older_than=timedelta(0)) == 1  # the worker's retry
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3 and delivery.error == ""
    assert clocks(card)[ClockKind.FIRST_RESPONSE].met_at == delivery.sent_at
    assert len(sent_events(card)) == 1 and len(smtp_server.envelopes) == 1
    resent = message_from_bytes(smtp_server.envelopes[0].original_content, policy=policy.default)
    (pdf,) = list(resent.iter_attachments())  # the same PDF, kept with the message
    assert pdf.get_content().startswith(b"%PDF") and resent["Message-ID"] == delivery.outbound.message_id


def test_retry_now_sends_a_failed_email(emailed_card, make_letter, responsible, smtp_server, client,
                                        django_capture_on_commit_callbacks):
    smtp_server.refused.add("kuznetsov@mail.example.net")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=make_letter(emailed_card), actor=responsible, channel=DeliveryChannel.EMAIL)
    smtp_server.refused.clear()
    client.force_login(responsible)
    response = client.post(reverse("answers:retry", args=[emailed_card.number, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(smtp_server.envelopes) == 1


def test_the_answer_goes_to_the_customers_messenger_chat_with_the_tracking_link(
    db, client, fake_platform, walk, make_letter, responsible, django_capture_on_commit_callbacks,
):
    source = make_source("telegram", "tg-out", outbound_base_url=fake_platform.url, outbound_token="7012:tok")
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, source, "telegram_message").status_code == 200
    card = walk(Complaint.objects.get(), State.DECIDED, justification=UNJUSTIFIED)
    assert [offer.channel for offer in channels_offered(card)][:1] == [DeliveryChannel.MESSENGER]
    fake_platform.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=make_letter(card), actor=responsible, channel=DeliveryChannel.MESSENGER)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and clocks(card)[ClockKind.FIRST_RESPONSE].met_at is None

    fake_platform.status = 200
    assert outbound_retry_failed(older_than=timedelta(0)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    text = fake_platform.requests[-1]["json"]["text"]
    assert text.startswith("Thank you for writing to us.")
    assert f"/track/{card.number}/?code={card.tracking_code}" in text
    assert clocks(card)[ClockKind.FIRST_RESPONSE].met_at == delivery.sent_at


def test_a_letter_goes_once_per_channel(register, walk, make_letter, responsible):
    card = walk(register(channel=Channel.WEB_FORM), State.DECIDED, justification=UNJUSTIFIED)
    letter = make_letter(card)
    answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING)
    with pytest.raises(TransitionNotAllowed, match="already gone"):
        answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING)
    assert letter.deliveries.count() == 1


def test_the_tracking_page_shows_the_letter_and_its_pdf(register, walk, make_letter, responsible, client):
    card = walk(register(channel=Channel.WEB_FORM), State.DECIDED, justification=UNJUSTIFIED)
    letter = make_letter(card, subject="Our answer to complaint")
    delivery = answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING)
    assert delivery.status == DeliveryStatus.SENT  # published at once
    assert clocks(card)[ClockKind.FIRST_RESPONSE].met_at == delivery.sent_at
    page = client.get(f"/track/{card.number}/?code={card.tracking_code}", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Our answer to complaint" in html and "it was on time" in html
    pdf_url = reverse("answers:tracking_pdf", args=[card.number, delivery.pk])
    assert f"{pdf_url}?code={card.tracking_code}" in html
    pdf = client.get(pdf_url, {"code": card.tracking_code})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(pdf_url, {"code": "wrong"}).status_code == 404


def test_a_letter_for_post_meets_the_clocks_when_marked_as_posted(
    db, operator, walk, make_letter, responsible, client,
):
    contact = contact_create(full_name="Петров Пётр", address="г. Казань, ул. Баумана, д. 1, кв. 2")
    card = walk(
        Complaint.objects.get(pk=_registered(operator, contact, Channel.LETTER).pk),
        State.DECIDED, justification=UNJUSTIFIED,
    )
    assert {o.channel for o in channels_offered(card)} == {DeliveryChannel.TRACKING, DeliveryChannel.POST}
    delivery = answer_send(letter=make_letter(card), actor=responsible, channel=DeliveryChannel.POST)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.recipient == contact.address
    assert clocks(card)[ClockKind.FIRST_RESPONSE].met_at is None and not sent_events(card)

    client.force_login(responsible)
    pdf = client.get(reverse("answers:post_pdf", args=[card.number, delivery.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        delivery_posted(delivery=delivery, actor=responsible, posted_on=tomorrow)
    response = client.post(
        reverse("answers:posted", args=[card.number, delivery.pk]), {"posted_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert clocks(card)[ClockKind.FIRST_RESPONSE].met_at == delivery.sent_at
    (event,) = sent_events(card)
    with translation.override("en"):  # the request left the responsible person's language active
        assert "Sent by post to г. Казань" in event.text_display


def _registered(operator, contact, channel):
    from amends.complaints.services import complaint_register

    return complaint_register(actor=operator, channel=channel, contact=contact, wording="Посылка пришла мятой.")


def test_a_written_complaint_gets_a_written_answer_and_an_oral_one_is_recorded_at_once(
    register, walk, make_letter, responsible,
):
    written = walk(register(channel=Channel.EMAIL), State.DECIDED, justification=UNJUSTIFIED)
    assert DeliveryChannel.ORAL not in {o.channel for o in channels_offered(written)}
    with pytest.raises(ValidationError, match="written answer"):
        answer_send(letter=make_letter(written), actor=responsible, channel=DeliveryChannel.ORAL)
    assert Complaint.objects.get(pk=written.pk).state == State.DECIDED  # nothing recorded

    oral = walk(register(channel=Channel.PHONE), State.DECIDED, justification=UNJUSTIFIED)
    delivery = answer_send(letter=make_letter(oral), actor=responsible, channel=DeliveryChannel.ORAL)
    assert delivery.status == DeliveryStatus.SENT
    assert Complaint.objects.get(pk=oral.pk).state == State.ANSWERED


def test_a_holding_reply_meets_the_first_response_only_and_keeps_the_state(
    register, walk, make_letter, responsible, qms, client, django_capture_on_commit_callbacks, smtp_server,
):
    from amends.complaints.services import complaint_update

    card = walk(register(channel=Channel.EMAIL), State.INVESTIGATING)
    card = complaint_update(complaint=card, actor=qms, changes={"needs_investigation": True})
    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    page = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert 'id="holding-offer"' in page and "send a holding reply" in page
    letter = make_letter(card, outcome=Outcome.HOLDING, body="We are looking into it and will answer by Friday.")
    with django_capture_on_commit_callbacks(execute=True):
        answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.EMAIL)
    card = Complaint.objects.get(pk=card.pk)
    assert card.state == State.INVESTIGATING
    running = clocks(card)
    assert running[ClockKind.FIRST_RESPONSE].met_at is not None and running[ClockKind.DECISION].met_at is None
    page = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert 'id="holding-offer"' not in page


def test_blocking_problems_refuse_and_tone_findings_need_a_reason_kept_on_the_timeline(
    register, walk, make_letter, responsible, monkeypatch,
):

    card = walk(register(channel=Channel.WEB_FORM), State.DECIDED, justification=UNJUSTIFIED)
    letter = make_letter(card)
    missing = Problem("missing:references", "Cite the law or contract clause", url="/somewhere/")
    monkeypatch.setitem(checks._CHECKS, "elements", lambda _letter: [missing])
    with pytest.raises(AnswerRefused) as refused:
        answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING, reason="Anyway")
    assert refused.value.blocking and refused.value.problems == [missing]
    monkeypatch.setitem(checks._CHECKS, "elements", lambda _letter: [])
    monkeypatch.setitem(checks._CHECKS, "tone", lambda _letter: [Problem("tone", "“unfortunately”", overridable=True)])
    with pytest.raises(AnswerRefused) as refused:
        answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING, reason="  ")
    assert not refused.value.blocking
    assert Complaint.objects.get(pk=card.pk).state == State.DECIDED
    answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING, reason="The customer's own words")
    letter.refresh_from_db()
    assert letter.tone_reason == "The customer's own words" and letter.sent_at is not None
    (event,) = sent_events(card)
    assert "Sent despite the tone check because: The customer's own words" in event.text_display


def test_a_second_channel_does_not_answer_the_card_twice(register, walk, make_letter, responsible):
    card = walk(register(channel=Channel.WEB_FORM), State.DECIDED, justification=UNJUSTIFIED)
    letter = make_letter(card)
    answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING)
    answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.EMAIL)
    assert card.events.filter(kind=EventKind.TRANSITION, transition="answer").count() == 1


def test_only_the_responsible_person_and_the_qms_head_send(register, walk, make_letter, responsible, qms,
                                                          operator, executor, client):
    card = walk(register(channel=Channel.WEB_FORM), State.DECIDED, justification=UNJUSTIFIED)
    letter = make_letter(card)
    for stranger in (operator, executor):
        with pytest.raises(AccessDenied):
            answer_send(letter=letter, actor=stranger, channel=DeliveryChannel.TRACKING)
    client.force_login(operator)
    url = reverse("answers:send", args=[card.number, letter.pk])
    assert client.post(url, {"channel": DeliveryChannel.TRACKING}).status_code == 403
    client.force_login(qms)
    assert client.post(url, {"channel": DeliveryChannel.TRACKING}).status_code == 302
    assert Complaint.objects.get(pk=card.pk).state == State.ANSWERED


def test_an_erasure_takes_the_person_out_of_the_answer_sent_and_its_pdf(
    emailed_card, make_letter, responsible, qms, django_capture_on_commit_callbacks,
):
    from amends.intake.models import OutboundAttachment
    from amends.privacy.services import personal_data_erase

    letter = make_letter(emailed_card, body="Dear Mr Kuznetsov, the delivery was on time.")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.EMAIL)
    assert OutboundAttachment.objects.get().content
    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(contact=emailed_card.contact, actor=qms)
    attachment = OutboundAttachment.objects.get()
    assert (attachment.name, bytes(attachment.content)) == ("erased", b"")
    delivery.refresh_from_db()
    assert "kuznetsov" not in delivery.recipient.lower()


def test_retry_now_and_the_workers_retry_at_the_same_moment_send_it_once(
    emailed_card, make_letter, responsible, smtp_server, django_capture_on_commit_callbacks,
):
    smtp_server.refused.add("kuznetsov@mail.example.net")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=make_letter(emailed_card), actor=responsible, channel=DeliveryChannel.EMAIL)
    smtp_server.refused.clear()
    # The worker has read the failed message, as "Retry now" has: the first to claim it sends it.
    as_the_worker_read_it = OutboundMessage.objects.get(pk=delivery.outbound_id)
    assert delivery_retry(delivery=delivery, actor=responsible).status == DeliveryStatus.SENT
    assert outbound_send(as_the_worker_read_it) is False
    assert len(smtp_server.envelopes) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and OutboundMessage.objects.get(pk=delivery.outbound_id).attempts == 2
    assert len(sent_events(emailed_card)) == 1


def test_the_tracking_page_shows_the_answer_only_once_it_left(
    emailed_card, make_letter, responsible, smtp_server, client, django_capture_on_commit_callbacks,
):
    smtp_server.refused.add("kuznetsov@mail.example.net")
    letter = make_letter(emailed_card, subject="Our answer to complaint")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.EMAIL)
    card = Complaint.objects.get(pk=emailed_card.pk)
    assert card.state == State.ANSWERED and card.answer_text == letter.body

    def tracking_page() -> str:
        response = client.get(f"/track/{card.number}/?code={card.tracking_code}", HTTP_ACCEPT_LANGUAGE="en")
        return response.content.decode()

    page = tracking_page()
    assert "it was on time" not in page and "Our answer to complaint" not in page  # not left yet
    pdf_url = reverse("answers:tracking_pdf", args=[card.number, delivery.pk])
    assert client.get(pdf_url, {"code": card.tracking_code}).status_code == 404

    smtp_server.refused.clear()
    delivery_retry(delivery=delivery, actor=responsible)
    client.logout()
    page = tracking_page()
    assert "Our answer to complaint" in page and page.count("it was on time") == 1
    assert f"{pdf_url}?code={card.tracking_code}" in page
    assert client.get(pdf_url, {"code": card.tracking_code}).content.startswith(b"%PDF")


def test_an_answer_recorded_outside_amends_is_still_shown_on_the_tracking_page(register, walk, client):
    card = walk(register(channel=Channel.WEB_FORM), State.ANSWERED, justification=UNJUSTIFIED)
    page = client.get(f"/track/{card.number}/?code={card.tracking_code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Our answer" in page and card.answer_text in page
