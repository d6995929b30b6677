"""The shared intake pipeline: store, parse, thread or register, acknowledge, quarantine."""

import json
import os
import subprocess
import sys

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.complaints.choices import Channel, State
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import (
    Ignored,
    inbound_process,
    inbound_reprocess,
    inbound_store,
    parser_for,
    register_parser,
)


def parse_as(incoming: IncomingComplaint):
    return lambda message: incoming


def stored(raw=b"raw", source="test:box", ref=""):
    return inbound_store(channel=Channel.EMAIL, source=source, raw=raw, external_ref=ref)[0]


def test_store_keeps_raw_bytes_and_a_replay_stores_nothing(db):
    first, created = inbound_store(channel=Channel.EMAIL, source="email:box", raw=b"\xff\x00bytes",
                                   external_ref="<a@b>")
    again, created_again = inbound_store(channel=Channel.EMAIL, source="email:box", raw=b"other",
                                         external_ref="<a@b>")
    assert created and not created_again
    assert again.pk == first.pk and bytes(InboundMessage.objects.get().raw) == b"\xff\x00bytes"


def test_new_message_registers_a_card_and_acknowledges_by_email(db, django_capture_on_commit_callbacks):
    incoming = IncomingComplaint(channel=Channel.EMAIL, text="Сломался чайник", name="Анна Петрова",
                                 email="Anna@Example.ru", subject="Жалоба")
    with django_capture_on_commit_callbacks(execute=True):
        message = inbound_process(stored(source="email:box", ref="<first@example.ru>"), parse_as(incoming))
    assert message.status == InboundStatus.REGISTERED
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.EMAIL and complaint.registered_by is None
    assert complaint.contact.email == "anna@example.ru" and complaint.state == State.REGISTERED
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.to == ["anna@example.ru"] and f"[#{complaint.number}]" in ack.subject
    assert f"/track/{complaint.number}/?code={complaint.tracking_code}" in ack.body
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"  # an automatic answer to their e-mail
    assert ack.extra_headers["In-Reply-To"] == "<first@example.ru>"
    assert OutboundMessage.objects.get().message_id == ack.extra_headers["Message-ID"]


def test_known_contact_is_reused(db, contact):
    incoming = IncomingComplaint(channel=Channel.PHONE, text="Опять", phone="8 912 345 67 89", identity_proven=True)
    inbound_process(stored(), parse_as(incoming))
    assert Complaint.objects.get().contact == contact


@pytest.mark.parametrize("how", ["number", "reference", "thread"])
def test_reply_threads_onto_the_card(db, how, django_capture_on_commit_callbacks):
    first = IncomingComplaint(channel=Channel.EMAIL, text="Первое", email="a@example.ru",
                              thread_key="telegram:1:42" if how == "thread" else "")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = inbound_process(stored(ref="<first@x>"), parse_as(first)).complaint
    sent = OutboundMessage.objects.get(complaint=complaint)
    reply = IncomingComplaint(channel=Channel.EMAIL, text="Дополнение", email="a@example.ru",
                              subject=f"Re: [#{complaint.number}] Жалоба" if how == "number" else "Re: Жалоба",
                              references=[sent.message_id] if how == "reference" else [],
                              thread_key=first.thread_key)
    message = inbound_process(stored(ref="<second@x>"), parse_as(reply))
    assert message.status == InboundStatus.THREADED and message.complaint == complaint
    assert Complaint.objects.count() == 1
    assert complaint.events.filter(kind="message_in", text="Дополнение").exists()


@pytest.mark.parametrize("sender", [{"email": "stranger@example.com"}, {}])
def test_a_card_number_alone_does_not_thread_a_strangers_mail(db, sender):
    # Numbers are sequential: anyone could write "[#2026-000001]" into a subject.
    first = IncomingComplaint(channel=Channel.EMAIL, text="Первое", email="owner@example.ru")
    complaint = inbound_process(stored(ref="<first@x>"), parse_as(first)).complaint
    forged = IncomingComplaint(channel=Channel.EMAIL, text="Подложное", subject=f"Re: [#{complaint.number}]",
                               name="Чужой", **sender)
    message = inbound_process(stored(ref="<forged@x>"), parse_as(forged))
    assert message.status == InboundStatus.REGISTERED and message.complaint != complaint
    assert not complaint.events.filter(kind="message_in").exists()


def test_the_cards_customer_threads_by_number_from_their_phone_too(db, contact):
    first = IncomingComplaint(channel=Channel.MESSENGER, text="Первое", phone=contact.phone)
    complaint = inbound_process(stored(ref="<first@x>"), parse_as(first)).complaint
    reply = IncomingComplaint(channel=Channel.MESSENGER, text="Дополнение", number_hint=complaint.number,
                              phone=contact.phone)
    assert inbound_process(stored(ref="<reply@x>"), parse_as(reply)).complaint == complaint


def test_a_closed_chat_card_does_not_take_new_messages(db, qms, django_capture_on_commit_callbacks):
    from amends.complaints.services import complaint_transition

    incoming = IncomingComplaint(channel=Channel.MESSENGER, text="Первое", name="Чат", thread_key="vk:1:7")
    complaint = inbound_process(stored(), parse_as(incoming)).complaint
    complaint_transition(complaint=complaint, name="withdraw", actor=qms, comment="тест")
    again = inbound_process(stored(), parse_as(IncomingComplaint(channel=Channel.MESSENGER, text="Новое",
                                                                  name="Чат", thread_key="vk:1:7")))
    assert again.status == InboundStatus.REGISTERED and again.complaint != complaint


def test_attachments_arrive_with_the_card(db):
    upload = SimpleUploadedFile("photo.jpg", b"\xff\xd8", content_type="image/jpeg")
    incoming = IncomingComplaint(channel=Channel.EMAIL, text="См. фото", email="a@example.ru", attachments=[upload])
    complaint = inbound_process(stored(), parse_as(incoming)).complaint
    assert complaint.attachments.get().original_name == "photo.jpg"


def test_parser_failure_quarantines_and_keeps_the_message(db):
    def broken(message):
        raise ValueError("cannot decode")

    message = inbound_process(stored(b"garbage"), broken)
    assert message.status == InboundStatus.QUARANTINED
    saved = InboundMessage.objects.get()
    assert "cannot decode" in saved.reason and bytes(saved.raw) == b"garbage" and saved.attempts == 1
    assert not Complaint.objects.exists()


def test_a_bad_attachment_quarantines_without_a_half_registered_card(db, settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.pdf", b"x" * 11)
    incoming = IncomingComplaint(channel=Channel.EMAIL, text="Файл", email="a@example.ru", attachments=[upload])
    message = inbound_process(stored(), parse_as(incoming))
    assert message.status == InboundStatus.QUARANTINED
    assert not Complaint.objects.exists()


def test_ignored_messages_create_nothing(db):
    def auto_reply(message):
        raise Ignored("Auto-Submitted: auto-replied")

    message = inbound_process(stored(), auto_reply)
    assert message.status == InboundStatus.IGNORED and not Complaint.objects.exists()
    assert not mail.outbox


def test_reprocess_uses_the_registered_parser(db):
    message = inbound_process(stored(source="fixed:box"), lambda m: (_ for _ in ()).throw(ValueError("bug")))
    assert message.status == InboundStatus.QUARANTINED
    register_parser("fixed", lambda m: IncomingComplaint(channel=Channel.EMAIL, text=bytes(m.raw).decode(),
                                                         email="x@example.ru"))
    again = inbound_reprocess(InboundMessage.objects.get(pk=message.pk))
    assert again.status == InboundStatus.REGISTERED and again.complaint.wording == "raw"


def test_a_parser_registered_by_its_path_is_imported_when_first_needed():
    from amends.api.services import api_parse

    assert parser_for(InboundMessage(source="api")) is api_parse
    # A process that meets no API submission never imports the API's module, nor DRF with it.
    started = subprocess.run(
        [sys.executable, "-c", "import django, sys; django.setup(); "
         "print('amends.api.services' in sys.modules, 'rest_framework.serializers' in sys.modules)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        capture_output=True, text=True, check=True,
    )
    assert started.stdout.split() == ["False", "False"]


def test_message_to_customer_goes_on_the_timeline_and_by_email(db, qms, django_capture_on_commit_callbacks):
    from amends.intake.services import message_to_customer

    incoming = IncomingComplaint(channel=Channel.EMAIL, text="Сломался чайник", email="anna@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = inbound_process(stored(), parse_as(incoming)).complaint
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_to_customer(complaint=complaint, actor=qms, text="Заменим чайник завтра до 18:00.")
    assert complaint.events.filter(kind="message_out", actor=qms, text="Заменим чайник завтра до 18:00.").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.ru"]
    assert f"[#{complaint.number}]" in mail.outbox[0].subject


@pytest.mark.parametrize("role", ["manager", "executor", "operator"])
def test_message_to_customer_needs_to_talk_to_the_customer(db, make_user, role):
    """Only those who talk to the customer write to them: not a manager, not an executor, not an
    operator who did not register the card."""
    from amends.core.errors import AccessDenied
    from amends.intake.services import message_to_customer

    complaint = inbound_process(stored(), parse_as(IncomingComplaint(
        channel=Channel.EMAIL, text="x", email="a@example.ru"))).complaint
    with pytest.raises(AccessDenied):
        message_to_customer(complaint=complaint, actor=make_user("someone", role), text="hi")


def test_the_registering_operator_writes_to_the_customer_after_assignment(walk_assigned, operator):
    from amends.intake.services import message_to_customer

    message_to_customer(complaint=walk_assigned, actor=operator, text="Передали ответственному.")
    assert walk_assigned.events.filter(kind="message_out", actor=operator).exists()


def test_a_failing_duplicate_check_does_not_hold_back_the_acknowledgement(db, monkeypatch, caplog):
    from amends.intake import tasks
    from amends.intake.tasks import follow_up_registration_task

    def broken(**kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(tasks, "duplicates_store", broken)
    incoming = IncomingComplaint(channel=Channel.EMAIL, text="Сломался чайник", email="a@example.ru")
    complaint = inbound_process(stored(), parse_as(incoming)).complaint  # the queued follow-up runs here
    assert [m.to for m in mail.outbox] == [["a@example.ru"]]
    assert f"Duplicate check of {complaint.number} failed" in caplog.text
    assert follow_up_registration_task.call(complaint.pk, "ru") is None  # acknowledged once only
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_queued_submissions_at_once_register_each_card_once(
    reference_data_restored, monkeypatch, at_once,
):
    from amends.intake.queue import inbound_process_queued
    from amends.intake.services import PARSERS, inbound_store_numbered

    parse, parsed = parser_for(InboundMessage(source="web_form")), []
    monkeypatch.setitem(PARSERS, "web_form", lambda message: parsed.append(message.pk) or parse(message))
    for n in range(30):
        inbound_store_numbered(channel=Channel.WEB_FORM, source="web_form", raw=json.dumps(
            {"name": f"Клиент {n}", "email": f"client{n}@example.ru", "text": f"Жалоба номер {n}."},
        ).encode())

    def worker() -> None:
        while inbound_process_queued(limit=7):
            pass

    at_once(worker, 2)
    assert Complaint.objects.count() == 30
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.REGISTERED}
    # Each was taken by one worker only.
    assert sorted(parsed) == sorted(InboundMessage.objects.values_list("pk", flat=True))
    assert sorted(Complaint.objects.values_list("number", flat=True)) == sorted(
        InboundMessage.objects.values_list("number", flat=True))


@pytest.fixture
def walk_assigned(complaint, qms, responsible):
    from amends.complaints.services import complaint_transition

    return complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
