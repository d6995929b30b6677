"""IMAP polling against a real Dovecot on 127.0.0.1: mail stored in batches and marked \\Seen once committed,
then registered by the worker; bad mail, replies, robots.

Dovecot comes from Debian (apt-get install dovecot-imapd). Without it these tests are skipped,
unless AMENDS_REQUIRE_IMAP is set (as in CI), when its absence is a failure.
"""

import base64
import io
import os
from collections import Counter
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, transaction
from django.utils import translation

from amends.complaints.models import Complaint
from amends.intake.channels.email import imap, services
from amends.intake.models import InboundMessage, InboundStatus, Mailbox
from amends.intake.queue import inbound_process_queued
from tests.harness.dovecot import Dovecot, dovecot_installed, free_port

FIXTURES = Path(__file__).parent / "fixtures" / "email"
SEEN = b"\\Seen"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def dovecot():
    if not dovecot_installed():
        reason = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("AMENDS_REQUIRE_IMAP"):
            pytest.fail(f"{reason}, and AMENDS_REQUIRE_IMAP is set")
        pytest.skip(f"{reason}; set AMENDS_REQUIRE_IMAP=1 to make this a failure")
    with Dovecot() as server:
        yield server


@pytest.fixture
def server(dovecot):
    """The module's Dovecot with empty folders."""
    client = dovecot.client()
    for folder in ("INBOX", "Processed"):
        if client.folder_exists(folder):
            client.select_folder(folder)
            client.delete_messages(client.search(["ALL"]))
            client.expunge()
    client.logout()
    return dovecot


@pytest.fixture
def mailbox(transactional_db, server):
    with translation.override("en"):
        yield Mailbox.objects.create(name="support", **server.mailbox_settings())


def flags(server, folder="INBOX") -> dict[bytes, tuple]:
    """Message-ID (or subject) → flags, as the server sees them now."""
    client = server.client()
    try:
        client.select_folder(folder, readonly=True)
        fetched = client.fetch(client.search(["ALL"]), [b"FLAGS", b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    finally:
        client.logout()
    return {item[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].strip(): item[b"FLAGS"] for item in fetched.values()}


def worker_registers() -> int:
    """What the worker does next: register the stored mail in batches; how many it took."""
    taken = 0
    while done := inbound_process_queued():
        taken += done
    return taken


def test_new_mail_is_stored_in_one_batch_marked_seen_once_committed_then_registered(mailbox, server, monkeypatch):
    names = ["koi8r_8bit.eml", "utf8_quoted_printable.eml", "cp1251_labelled_koi8r.eml", "html_only.eml",
             "multipart_attachments.eml"]
    server.deliver(*(fixture(name) for name in names))
    observed, fetches = [], []
    mark, fetch = imap._mark_processed, imap.IMAPClient.fetch

    def checked_mark(client, box, uids):
        # Marking happens outside any transaction, once the bytes of each of these messages are committed.
        observed.append((transaction.get_connection().in_atomic_block, len(uids)))
        assert all(SEEN not in f for f in flags(server).values()), "something was marked before its turn"
        assert InboundMessage.objects.filter(status=InboundStatus.QUEUED).count() == len(uids)
        mark(client, box, uids)

    def counted_fetch(client, messages, data, *args, **kwargs):
        if b"FLAGS" not in data:  # not the test's own look at the flags
            fetches.append(data)
        return fetch(client, messages, data, *args, **kwargs)

    monkeypatch.setattr(imap, "_mark_processed", checked_mark)
    monkeypatch.setattr(imap.IMAPClient, "fetch", counted_fetch)
    (result,) = imap.mailboxes_poll()
    assert observed == [(False, 5)] and fetches == [[b"RFC822.SIZE"], [b"BODY.PEEK[]"]]
    assert result.fetched == 5 and result.outcomes == {"queued": 5} and not result.error
    assert all(SEEN in f for f in flags(server).values())
    assert not Complaint.objects.exists()  # the worker registers them
    assert worker_registers() == 5
    assert Complaint.objects.count() == 5 and len(mail.outbox) == 5
    koi8 = InboundMessage.objects.get(external_ref="<20261118140310.7F3A2@mail.example.net>").complaint
    assert "Второй раз привозят холодильник с вмятиной" in koi8.wording  # KOI8-R first, nothing stalled
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""
    assert imap.mailboxes_poll()[0].fetched == 0  # nothing new the second time


def test_a_broken_message_is_quarantined_and_the_rest_continue(mailbox, server):
    server.deliver(fixture("utf8_quoted_printable.eml"), fixture("broken_no_content.eml"),
                   b"\x00\xff\xfe not a message at all \x00", fixture("cp1251_base64.eml"))
    (result,) = imap.mailboxes_poll()
    assert result.outcomes == {"queued": 4}
    worker_registers()
    assert Counter(InboundMessage.objects.values_list("status", flat=True)) == {"registered": 2, "quarantined": 2}
    assert Complaint.objects.count() == 2
    quarantined = InboundMessage.objects.filter(status=InboundStatus.QUARANTINED)
    assert {m.external_ref.split(":")[0] for m in quarantined} == {"<broken-empty-0013@example.org>", "uid"}
    assert all(SEEN in f for f in flags(server).values())  # kept in the quarantine, so done on the server


def test_a_message_that_cannot_be_stored_stays_unread_for_the_next_pass(mailbox, server, monkeypatch):
    server.deliver(fixture("koi8r_8bit.eml"), fixture("cp1251_base64.eml"), fixture("html_only.eml"))
    store = services._queued

    def refused(raw, *args, **kwargs):  # the database refuses this one: the batch fails, then it alone
        if b"windows-1251" in raw:
            raise OperationalError("disk I/O error")
        return store(raw, *args, **kwargs)

    monkeypatch.setattr(services, "_queued", refused)
    (result,) = imap.mailboxes_poll()
    assert result.not_stored == 1 and "could not be stored" in result.error
    state = flags(server)
    assert SEEN not in state[b"Message-ID: <001a01d9c2b4$5e6f7a80$1b4c6f80$@example.org>"]
    assert sum(SEEN in f for f in state.values()) == 2
    mailbox.refresh_from_db()
    assert "could not be stored" in mailbox.last_error

    assert result.outcomes == {"queued": 2}
    monkeypatch.undo()
    (again,) = imap.mailboxes_poll()
    assert again.outcomes == {"queued": 1} and not again.error
    assert all(SEEN in f for f in flags(server).values())
    worker_registers()
    assert Complaint.objects.count() == 3


def test_a_database_that_is_down_leaves_the_whole_batch_unread(mailbox, server, monkeypatch):
    server.deliver(fixture("koi8r_8bit.eml"), fixture("cp1251_base64.eml"))

    def database_down(*args, **kwargs):
        raise OperationalError("unable to open database file")

    monkeypatch.setattr(imap, "emails_store", database_down)
    monkeypatch.setattr(imap, "email_store", database_down)
    (result,) = imap.mailboxes_poll()
    assert result.not_stored == 2 and "could not be stored" in result.error
    assert not any(SEEN in f for f in flags(server).values())
    monkeypatch.undo()
    assert imap.mailboxes_poll()[0].outcomes == {"queued": 2}


def test_a_pass_killed_midway_leaves_nothing_marked_that_is_not_committed(mailbox, server, monkeypatch):
    server.deliver(*(fixture(n) for n in ["koi8r_8bit.eml", "cp1251_base64.eml", "html_only.eml"]))
    monkeypatch.setattr(imap, "FETCH_BATCH", 2)

    def killed(client, box, uids):
        raise KeyboardInterrupt  # the poller is stopped once the first batch is stored, before marking it

    monkeypatch.setattr(imap, "_mark_processed", killed)
    with pytest.raises(KeyboardInterrupt):
        imap.mailboxes_poll()
    assert InboundMessage.objects.count() == 2
    assert not any(SEEN in f for f in flags(server).values())

    monkeypatch.undo()
    (result,) = imap.mailboxes_poll()
    assert result.outcomes == {"already received": 2, "queued": 1}
    worker_registers()
    assert Complaint.objects.count() == 3 and len(mail.outbox) == 3  # no duplicate card, no second answer
    assert all(SEEN in f for f in flags(server).values())


def test_replies_thread_onto_their_card(mailbox, server):
    server.deliver(fixture("utf8_quoted_printable.eml"))
    imap.mailboxes_poll()
    worker_registers()
    complaint = Complaint.objects.get()
    (ack,) = mail.outbox
    reply_to_ack = (
        f"From: anna.petrova@example.ru\r\nSubject: Re: {ack.subject}\r\nMessage-ID: <re-ack@example.ru>\r\n"
        f"In-Reply-To: {ack.extra_headers['Message-ID']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Фото чека прилагаю позже.\r\n"
    ).encode()
    server.deliver(fixture("reply_in_reply_to.eml"), reply_to_ack)
    imap.mailboxes_poll()
    worker_registers()
    assert Counter(InboundMessage.objects.values_list("status", flat=True)) == {"registered": 1, "threaded": 2}
    assert Complaint.objects.count() == 1 and len(mail.outbox) == 1
    assert list(complaint.events.filter(kind="message_in").values_list("text", flat=True)) == [
        "Дополняю: чайник также сильно пахнет пластиком. Жду ответа.", "Фото чека прилагаю позже."]


def test_robots_create_nothing_and_get_no_acknowledgement(mailbox, server):
    server.deliver(fixture("auto_reply.eml"), fixture("bounce_mailer_daemon.eml"), fixture("mailing_list.eml"))
    imap.mailboxes_poll()
    worker_registers()
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.IGNORED}
    assert not Complaint.objects.exists() and not mail.outbox
    assert all(SEEN in f for f in flags(server).values())


def test_processed_mail_moves_to_the_processed_folder(mailbox, server):
    Mailbox.objects.filter(pk=mailbox.pk).update(processed_folder="Processed")
    server.deliver(fixture("koi8r_8bit.eml"), fixture("auto_reply.eml"))
    imap.mailboxes_poll()
    assert flags(server) == {}  # moved once stored, before the worker registers them
    moved = flags(server, "Processed")
    assert len(moved) == 2 and all(SEEN in f for f in moved.values())


def test_a_message_without_message_id_is_known_by_its_uid(mailbox, server):
    server.deliver("From: a@example.ru\r\nSubject: Без идентификатора\r\n\r\nТекст\r\n".encode())
    imap.mailboxes_poll()
    assert InboundMessage.objects.get().external_ref.startswith("uid:")
    assert imap.mailboxes_poll()[0].fetched == 0


def test_connection_errors_are_recorded_and_other_mailboxes_still_polled(mailbox, server):
    Mailbox.objects.create(name="wrong-password", **{**server.mailbox_settings(), "password": "nope"})
    Mailbox.objects.create(name="nobody-home", **{**server.mailbox_settings(), "port": free_port()})
    Mailbox.objects.create(name="switched-off", is_active=False, **server.mailbox_settings())
    server.deliver(fixture("koi8r_8bit.eml"))
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="could not be read"):
        call_command("poll_mail", "--once", stdout=stdout, stderr=stderr)
    assert "support: 1 fetched; queued 1" in stdout.getvalue()
    errors = dict(Mailbox.objects.values_list("name", "last_error"))
    assert "LoginError" in errors["wrong-password"] or "authentication failed" in errors["wrong-password"].lower()
    assert "ConnectionRefusedError" in errors["nobody-home"]
    assert errors["support"] == "" and errors["switched-off"] == ""
    assert InboundMessage.objects.get().status == InboundStatus.QUEUED


def test_poll_mail_once_reports_each_mailbox(mailbox, server):
    server.deliver(fixture("html_only.eml"))
    stdout = io.StringIO()
    call_command("poll_mail", "--once", stdout=stdout)
    assert stdout.getvalue().strip() == "support: 1 fetched; queued 1"


def test_large_mail_is_fetched_in_small_batches_and_its_big_file_refused(mailbox, server, monkeypatch, settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 512 * 1024
    monkeypatch.setattr(imap, "FETCH_BATCH", 2)
    monkeypatch.setattr(imap, "FETCH_BYTES", 256 * 1024)
    video = base64.encodebytes(b"\x00" * (2 * 1024 * 1024)).replace(b"\n", b"\r\n")
    big = (b"From: a@example.ru\r\nSubject: Video\r\nMessage-ID: <big@example.ru>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nSee video\r\n"
           b"--m\r\nContent-Type: video/mp4\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=\"v.mp4\"\r\n\r\n" + video + b"--m--\r\n")
    server.deliver(fixture("koi8r_8bit.eml"), big, fixture("cp1251_base64.eml"), fixture("html_only.eml"))
    (result,) = imap.mailboxes_poll()
    assert result.outcomes == {"queued": 4}
    worker_registers()
    card = InboundMessage.objects.get(external_ref="<big@example.ru>").complaint
    assert "“v.mp4” (2.0 MB) was not saved" in card.wording and not card.attachments.exists()
    assert all(SEEN in f for f in flags(server).values())
