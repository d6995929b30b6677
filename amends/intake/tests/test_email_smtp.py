"""Outbound mail through Django's SMTP backend to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async

from amends.intake.acknowledge import acknowledge
from amends.intake.channels.email.services import MAILGATE_SOURCE, email_receive
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.intake.outbound import WRITTEN
from amends.intake.services import message_to_customer
from tests.harness.dovecot import free_port

FIXTURES = Path(__file__).parent / "fixtures" / "email"


class Collector:
    def __init__(self):
        self.envelopes = []
        self.sessions = []  # the connection each message came over
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        self.sessions.append(id(session))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    yield collector
    controller.stop()


def test_the_acknowledgement_reaches_a_real_smtp_server_and_its_reply_threads_back(
    db, smtp_server, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = email_receive(raw=(FIXTURES / "koi8r_8bit.eml").read_bytes(), source=MAILGATE_SOURCE)
    complaint = receipt.message.complaint
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["kuznetsov@mail.example.net"]
    sent = message_from_bytes(envelope.original_content, policy=policy.default)
    assert sent["Subject"].strip().startswith(f"[#{complaint.number}] ")
    assert sent["Auto-Submitted"] == "auto-replied"
    body = sent.get_body(("plain",)).get_content()
    assert f"/track/{complaint.number}/?code={complaint.tracking_code}" in body
    outbound = OutboundMessage.objects.get(complaint=complaint)
    assert outbound.message_id == sent["Message-ID"] and outbound.sent_at is not None and not outbound.error

    # The customer answers the acknowledgement as any mail client would.
    reply = (
        f"From: kuznetsov@mail.example.net\r\nSubject: Re: {sent['Subject']}\r\nMessage-ID: <re-ack@example.net>\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\nReferences: {sent['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nСпасибо, жду.\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        threaded = email_receive(raw=reply, source=MAILGATE_SOURCE).message
    assert threaded.status == InboundStatus.THREADED and threaded.complaint == complaint
    assert len(smtp_server.envelopes) == 1  # a reply is not acknowledged again


def test_an_unreachable_smtp_server_is_recorded_and_the_card_still_registered(
    db, settings, django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        message = email_receive(raw=(FIXTURES / "cp1251_base64.eml").read_bytes(), source=MAILGATE_SOURCE).message
    assert message.status == InboundStatus.REGISTERED
    outbound = OutboundMessage.objects.get(complaint=message.complaint)
    assert outbound.sent_at is None and "refused" in outbound.error.lower()


def web_form_batch(count: int) -> list[str]:
    from amends.intake.channels.web_form.services import web_form_submit

    return [
        web_form_submit(data={"name": f"Клиент {i}", "email": f"batch{i}@example.ru", "text": f"Чайник {i} течёт."},
                        consent_text="Согласен", attachments=[], language="ru").number
        for i in range(count)
    ]


def test_a_batch_is_acknowledged_over_one_connection(reference_data_restored, smtp_server):
    from amends.intake.queue import inbound_process_queued

    web_form_batch(5)
    assert inbound_process_queued() == 5  # the batch's follow-up job runs at its commit here
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == [f"batch{i}@example.ru" for i in range(5)]
    assert len(set(smtp_server.sessions)) == 1
    assert not OutboundMessage.objects.filter(sent_at=None).exists()


def test_a_refused_acknowledgement_in_a_batch_is_recorded_and_the_others_leave(reference_data_restored, smtp_server):
    from amends.intake.queue import inbound_process_queued

    smtp_server.refused = {"batch2@example.ru"}
    web_form_batch(5)
    inbound_process_queued()
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == [f"batch{i}@example.ru" for i in (0, 1, 3, 4)]
    refused = OutboundMessage.objects.get(recipient="batch2@example.ru")
    assert refused.sent_at is None and "No such mailbox" in refused.error and refused.attempts == 1
    assert OutboundMessage.objects.exclude(pk=refused.pk).filter(sent_at=None).count() == 0


def _received(smtp_server, index: int):
    return message_from_bytes(smtp_server.envelopes[index].original_content, policy=policy.default)


def test_a_message_a_person_wrote_is_not_automatic_and_threads_under_the_customers_last_mail(
    db, qms, smtp_server, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = email_receive(raw=(FIXTURES / "koi8r_8bit.eml").read_bytes(), source=MAILGATE_SOURCE)
    complaint = receipt.message.complaint
    first = InboundMessage.objects.get(complaint=complaint).external_ref
    acknowledgement = _received(smtp_server, 0)
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert acknowledgement["In-Reply-To"] == acknowledgement["References"] == first

    reply = (
        f"From: kuznetsov@mail.example.net\r\nSubject: Re: {acknowledgement['Subject']}\r\n"
        f"Message-ID: <second@example.net>\r\nIn-Reply-To: {acknowledgement['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nЕщё одна деталь.\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(raw=reply, source=MAILGATE_SOURCE)
        message_to_customer(complaint=complaint, actor=qms, text="Здравствуйте! Мы заменим чайник.")
    written = _received(smtp_server, 1)
    assert "Auto-Submitted" not in written
    assert written["In-Reply-To"] == written["References"] == "<second@example.net>"
    assert OutboundMessage.objects.get(message_id=written["Message-ID"]).purpose == WRITTEN


def test_mail_to_a_customer_who_never_wrote_by_mail_is_auto_generated_without_a_parent(
    db, complaint, qms, smtp_server, django_capture_on_commit_callbacks,
):
    acknowledge(complaint, "ru")
    with django_capture_on_commit_callbacks(execute=True):
        message_to_customer(complaint=complaint, actor=qms, text="Перезвоним вам завтра.")
    acknowledgement, written = _received(smtp_server, 0), _received(smtp_server, 1)
    assert acknowledgement["Auto-Submitted"] == "auto-generated"
    assert "In-Reply-To" not in acknowledgement and "References" not in acknowledgement
    assert "Auto-Submitted" not in written and "In-Reply-To" not in written


def test_a_batch_s_mails_are_claimed_before_they_leave_with_one_write_each(
    reference_data_restored, complaint, smtp_server, monkeypatch,
):
    """Each mail's claim is committed before it leaves (no second process sends it too); its mark of
    sent goes with the next one's claim, so that a batch of n writes n + 1 times, not 2n."""
    from django.core.mail import get_connection
    from django.db import connections

    from amends.intake.outbound import emails_send

    outbounds = [OutboundMessage.objects.create(complaint=complaint, channel="email", recipient=f"c{i}@example.ru",
                                                subject="s", body="b", message_id=f"<m{i}@x>") for i in range(3)]
    claimed_when_received = []

    def attempts_of(recipient: str) -> int:
        try:
            return OutboundMessage.objects.get(recipient=recipient).attempts
        finally:
            connections.close_all()  # this thread's own

    async def handle_data(server, session, envelope):
        claimed_when_received.append(await sync_to_async(attempts_of, thread_sensitive=False)(envelope.rcpt_tos[0]))
        smtp_server.envelopes.append(envelope)
        return "250 OK"

    monkeypatch.setattr(smtp_server, "handle_DATA", handle_data)
    database = connections["default"]
    writes = []  # each a transaction: a commit, or a statement outside any
    commit = type(database).commit

    def counted_commit(self):
        writes.append("COMMIT")
        commit(self)

    monkeypatch.setattr(type(database), "commit", counted_commit)

    def alone(execute, sql, params, many, context):
        if not database.in_atomic_block and sql.startswith("UPDATE"):
            writes.append(sql)
        return execute(sql, params, many, context)

    mail = get_connection()
    with database.execute_wrapper(alone):
        assert emails_send(outbounds, mail) == 3
    mail.close()
    assert claimed_when_received == [1, 1, 1]
    assert OutboundMessage.objects.filter(sent_at=None).count() == 0
    assert len(writes) == 4
