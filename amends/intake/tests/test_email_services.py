"""E-mail through the intake pipeline: store, register or thread, acknowledge, ignore robots, quarantine."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.intake.channels.email import parser, services
from amends.intake.channels.email.services import (
    MAILGATE_SOURCE,
    Arrived,
    email_receive,
    email_reference,
    email_retry_pending,
    email_store,
    emails_store,
    mailbox_source,
)
from amends.intake.models import InboundMessage, InboundStatus, Mailbox, OutboundMessage
from amends.intake.queue import inbound_process_queued, inbound_retry_expired
from amends.intake.services import inbound_reprocess

FIXTURES = Path(__file__).parent / "fixtures" / "email"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def fixed_now():
    """The samples' dates are recent then, and the notes in English."""
    with translation.override("en"), time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def receive(db, django_capture_on_commit_callbacks):
    def run(raw: bytes, source: str = MAILGATE_SOURCE, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return email_receive(raw=raw, source=source, **kwargs)

    return run


def test_new_mail_registers_an_email_card_and_acknowledges_with_the_number(receive):
    receipt = receive(fixture("multipart_attachments.eml"))
    message = receipt.message
    assert message.status == InboundStatus.REGISTERED and not receipt.replay
    assert message.source == "email:mailgate" and message.external_ref == "<b7e1c2d4-attachments-0007@vector.example>"
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.EMAIL and message.complaint == complaint
    assert complaint.contact.full_name == "Павел Орлов" and complaint.contact.email == "p.orlov@vector.example"
    assert complaint.wording.startswith("Рекламация по партии 2026/311\n\nДобрый день!")
    assert complaint.received_at == datetime(2026, 11, 23, 7, 15, tzinfo=UTC)
    assert sorted(complaint.attachments.values_list("original_name", flat=True)) == [
        "IMG_20261120_101500.jpg", "Акт рекламации №12.pdf", "Претензия.docx",
    ]
    (ack,) = mail.outbox
    assert ack.to == ["p.orlov@vector.example"] and f"[#{complaint.number}]" in ack.subject
    assert f"/track/{complaint.number}/?code={complaint.tracking_code}" in ack.body


def test_the_same_mail_delivered_twice_registers_once(receive):
    first = receive(fixture("koi8r_8bit.eml"))
    again = receive(fixture("koi8r_8bit.eml"))
    assert again.replay and again.message.pk == first.message.pk
    assert Complaint.objects.count() == 1 and len(mail.outbox) == 1
    assert InboundMessage.objects.count() == 1


def test_a_reused_message_id_with_another_text_is_not_lost(receive):
    first = fixture("utf8_quoted_printable.eml")
    second = first.replace(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                           b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Другая жалоба.\r\n".encode() + b"\r\n")
    receive(first)
    other = receive(second)
    assert not other.replay and other.message.status == InboundStatus.REGISTERED
    assert Complaint.objects.count() == 2
    assert other.message.external_ref.startswith("<CAF3k9-utf8-0001@mail.example.ru> sha256:")


def test_a_customer_reply_threads_onto_the_card_with_only_its_new_part(receive):
    complaint = receive(fixture("utf8_quoted_printable.eml")).message.complaint
    reply = receive(fixture("reply_in_reply_to.eml")).message
    assert reply.status == InboundStatus.THREADED and reply.complaint == complaint
    assert Complaint.objects.count() == 1 and len(mail.outbox) == 1  # no second acknowledgement
    event = complaint.events.get(kind="message_in")
    assert event.text == "Дополняю: чайник также сильно пахнет пластиком. Жду ответа."


def test_a_reply_to_our_acknowledgement_threads_by_references_and_by_number(receive):
    complaint = receive(fixture("cp1251_base64.eml")).message.complaint
    ack = OutboundMessage.objects.get(complaint=complaint)
    by_reference = (
        "From: o.smirnova@example.org\r\nSubject: Re: something else\r\nMessage-ID: <r1@example.org>\r\n"
        f"In-Reply-To: {ack.message_id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЕщё одна деталь.\r\n"
    ).encode()
    by_number = (
        f"From: o.smirnova@example.org\r\nSubject: Re: [#{complaint.number}] Ваша жалоба\r\n"
        "Message-ID: <r2@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nИ ещё.\r\n"
    ).encode()
    assert receive(by_reference).message.complaint == complaint
    assert receive(by_number).message.complaint == complaint
    assert list(complaint.events.filter(kind="message_in").values_list("text", flat=True)) == [
        "Ещё одна деталь.", "И ещё."]


def test_an_outlook_reply_threads_without_the_quoted_letter(receive):
    complaint = receive(fixture("cp1251_base64.eml")).message.complaint
    assert receive(fixture("outlook_reply_cp1251_html.eml")).message.complaint == complaint
    assert complaint.events.get(kind="message_in").text == (
        "Спасибо, но деньги так и не пришли. Прошу ускорить возврат.\n\nОльга")


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce_mailer_daemon.eml", "mailing_list.eml"])
def test_robots_create_nothing_and_get_no_answer(receive, name):
    message = receive(fixture(name)).message
    assert message.status == InboundStatus.IGNORED and message.reason
    assert not Complaint.objects.exists() and not mail.outbox


def test_an_auto_reply_to_an_existing_card_is_ignored_too(receive):
    receive(fixture("utf8_quoted_printable.eml"))
    raw = fixture("auto_reply.eml").replace(
        b"Auto-Submitted", b"In-Reply-To: <CAF3k9-utf8-0001@mail.example.ru>\r\nAuto-Submitted")
    assert receive(raw).message.status == InboundStatus.IGNORED
    assert not Complaint.objects.get().events.filter(kind="message_in").exists()


def test_mail_with_nothing_in_it_is_quarantined_with_the_reason_and_kept(receive):
    raw = fixture("broken_no_content.eml")
    message = receive(raw).message
    assert message.status == InboundStatus.QUARANTINED
    assert "no subject, no text and no attachments" in message.reason
    assert bytes(InboundMessage.objects.get().raw) == raw
    assert not Complaint.objects.exists() and not mail.outbox


def test_a_quarantined_mail_is_registered_when_processed_again(receive, monkeypatch):
    def broken(raw):
        raise ValueError("parser bug")

    monkeypatch.setattr(parser, "parse_email", broken)
    message = receive(fixture("koi8r_8bit.eml")).message
    assert message.status == InboundStatus.QUARANTINED and "parser bug" in message.reason
    monkeypatch.undo()
    again = inbound_reprocess(InboundMessage.objects.get(pk=message.pk))  # the admin's action
    assert again.status == InboundStatus.REGISTERED
    assert "Второй раз привозят холодильник" in again.complaint.wording


def test_a_copy_received_through_a_second_mailbox_is_not_registered_again(receive):
    Mailbox.objects.create(name="support", host="127.0.0.1", username="u", password="p")
    receive(fixture("koi8r_8bit.eml"), source=mailbox_source("support"))
    copy = receive(fixture("koi8r_8bit.eml"), source=MAILGATE_SOURCE).message
    assert copy.status == InboundStatus.IGNORED and "already received through email:support" in copy.reason
    assert Complaint.objects.count() == 1


def taken_by_a_worker(message: InboundMessage, *, at: datetime, attempts: int = 0) -> None:
    """As the worker's claim leaves it: taken at `at` for a batch that never committed."""
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.RECEIVED, claimed_at=at, attempts=attempts)


def test_mail_a_stopped_worker_took_is_taken_again_by_the_worker_once_its_claim_expired(receive, settings):
    """Whatever left it (a worker stopped, a write the database refused): the worker's own sweep takes
    it, so it does not wait for the mail poll, which an installation may have turned off."""
    settings.AMENDS_INBOUND_CLAIM_TIMEOUT = 120
    message = email_store(raw=fixture("cp1251_labelled_koi8r.eml"), source=MAILGATE_SOURCE).message
    assert message.status == InboundStatus.QUEUED and inbound_retry_expired(10) == 0  # queued: a batch's
    taken_by_a_worker(message, at=datetime(2026, 11, 24, 8, 59, tzinfo=UTC))
    assert inbound_retry_expired(10) == 0  # within its claim: the worker may be at it right now
    taken_by_a_worker(message, at=datetime(2026, 11, 24, 8, 57, tzinfo=UTC))
    assert email_retry_pending() == 0  # the worker's, not the mail poll's: one owner, never twice
    assert inbound_retry_expired(10) == 1
    message.refresh_from_db()
    assert message.status == InboundStatus.REGISTERED and message.attempts == 1
    assert "привезли без шланга" in message.complaint.wording


def test_mail_stored_unclaimed_and_left_half_done_is_processed_after_a_while(receive):
    message = email_store(raw=fixture("cp1251_labelled_koi8r.eml"), source=MAILGATE_SOURCE).message
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.RECEIVED)
    assert email_retry_pending() == 0  # too fresh: whoever is processing it may be at it right now
    InboundMessage.objects.filter(pk=message.pk).update(received_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert email_retry_pending(older_than=timedelta(minutes=5)) == 1
    assert InboundMessage.objects.get().status == InboundStatus.REGISTERED


def test_mail_whose_processing_was_cut_short_twice_is_quarantined_with_the_reason(receive):
    message = email_store(raw=fixture("cp1251_labelled_koi8r.eml"), source=MAILGATE_SOURCE).message
    # Two workers started it and died (or were stopped by their time budget) before recording anything.
    taken_by_a_worker(message, at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC), attempts=2)
    with translation.override("en"):
        assert inbound_retry_expired(10) == 1
    message.refresh_from_db()
    assert message.status == InboundStatus.QUARANTINED and "started 2 times and never finished" in message.reason
    assert not Complaint.objects.exists()
    again = inbound_reprocess(message)  # the admin's action, once the cause is found
    assert again.status == InboundStatus.REGISTERED


def test_a_mail_without_a_sender_address_is_registered_without_a_contact(receive):
    raw = "Subject: Жалоба\r\nMessage-ID: <anon@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nТекст\r\n"
    message = receive(raw.encode()).message
    assert message.status == InboundStatus.REGISTERED and message.complaint.contact is None
    assert not mail.outbox


def test_an_oversized_attachment_is_left_out_and_the_card_still_registered(receive, settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    note = message_from_bytes(fixture("koi8r_8bit.eml"), policy=policy.default)
    note.make_mixed()
    note.add_attachment(b"\x00" * (3 * 1024 * 1024), maintype="video", subtype="mp4", filename="video.mp4")
    raw = note.as_bytes()
    message = receive(raw).message
    assert message.status == InboundStatus.REGISTERED
    assert "“video.mp4” (3.0 MB) was not saved: the limit is 1.0 MB" in message.complaint.wording
    assert not message.complaint.attachments.exists()
    assert bytes(InboundMessage.objects.get().raw) == raw  # the original is kept whole


def test_a_batch_is_stored_with_one_insert_queued_in_order_and_repeats_are_recognised(db, django_assert_num_queries):
    first, other = fixture("koi8r_8bit.eml"), fixture("cp1251_base64.eml")
    reused = first.replace(b"\r\n\r\n", "\r\n\r\nДругое письмо с тем же Message-ID.\r\n".encode("koi8-r"), 1)
    no_id = b"From: a@example.ru\r\nSubject: x\r\n\r\ntext\r\n"
    batch = [Arrived(first), Arrived(other), Arrived(first), Arrived(reused), Arrived(no_id, "uid:7:1"),
             Arrived(b"\x00\xff not mail \x00")]
    with django_assert_num_queries(4):  # one look-up, one insert (and its savepoint)
        receipts = emails_store(batch, source=MAILGATE_SOURCE)
    assert [r.replay for r in receipts] == [False, False, True, False, False, False]
    assert receipts[2].message is receipts[0].message
    stored = list(InboundMessage.objects.order_by("pk"))
    assert [m.pk for m in stored] == [r.message.pk for r in receipts if not r.replay]
    assert {m.status for m in stored} == {InboundStatus.QUEUED} and not Complaint.objects.exists()
    assert stored[2].external_ref.startswith("<20261118140310.7F3A2@mail.example.net> sha256:")
    assert stored[3].external_ref == "uid:7:1" and stored[4].external_ref.startswith("sha256:")
    assert bytes(stored[1].raw) == other

    with django_assert_num_queries(2):  # one look-up, one for the reused Message-ID's variant; no insert
        again = emails_store([Arrived(reused), Arrived(other), Arrived(no_id, "uid:7:1")], source=MAILGATE_SOURCE)
    assert all(r.replay for r in again) and InboundMessage.objects.count() == 5


def test_a_batch_a_concurrent_delivery_collides_with_is_stored_one_by_one(db, monkeypatch):
    earlier = email_store(raw=fixture("koi8r_8bit.eml"), source=MAILGATE_SOURCE).message
    monkeypatch.setattr(services, "_stored", lambda source, references: {})  # as if stored after the look-up
    receipts = emails_store([Arrived(fixture("cp1251_base64.eml")), Arrived(fixture("koi8r_8bit.eml"))],
                            source=MAILGATE_SOURCE)
    assert [r.replay for r in receipts] == [False, True] and receipts[1].message == earlier
    assert InboundMessage.objects.count() == 2


def test_the_message_id_is_read_from_the_header_section_alone():
    raw = (b"From foo@bar Mon Nov 23 10:00:00 2026\r\nSubject: x\r\nMessage-Id:\r\n <folded@example.ru>\r\n\r\n"
           b"Message-ID: <in-the-body@example.ru>\r\n")
    assert email_reference(raw) == "<folded@example.ru>"
    assert email_reference(b"Subject: x\r\n\r\nMessage-ID: <in-the-body@example.ru>\r\n") == ""


def test_the_worker_registers_a_stored_batch_in_order_and_bad_mail_among_it_stops_nothing(
    db, django_capture_on_commit_callbacks,
):
    names = ["koi8r_8bit.eml", "broken_no_content.eml", "cp1251_base64.eml", "auto_reply.eml", "html_only.eml"]
    batch = [Arrived(fixture(name)) for name in names] + [Arrived(b"\x00\xff\xfe not a message \x00")]
    stored = [receipt.message.pk for receipt in emails_store(batch, source=MAILGATE_SOURCE)]
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_process_queued() == 6
    statuses = dict(InboundMessage.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in stored] == ["registered", "quarantined", "registered", "ignored", "registered",
                                               "quarantined"]
    registered = InboundMessage.objects.filter(status=InboundStatus.REGISTERED).order_by("pk")
    numbers = [message.complaint.number for message in registered]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3  # numbered in the order they arrived
    assert len(mail.outbox) == 3
