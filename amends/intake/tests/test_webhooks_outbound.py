"""Acknowledgements and answers go back through the platform's API (a fake of it on 127.0.0.1)."""

import socket

import pytest

from amends.complaints.models import Complaint
from amends.intake.models import OutboundMessage
from amends.intake.outbound import send_to_customer

from .test_webhooks_support import FakePlatform, deliver, make_source

TOKENS = {"telegram": "7012345678:AAF-test-bot-token", "vk": "vk1.a.community-token", "generic": "bridge-token"}
FIRST_MESSAGE = {"telegram": "telegram_message", "vk": "vk_message_new", "generic": "generic_message"}


@pytest.fixture
def fake_platform(monkeypatch):
    yield from FakePlatform().serve(monkeypatch)


def source_for(kind, base_url):
    return make_source(kind, f"{kind}-out", outbound_base_url=base_url, outbound_token=TOKENS[kind])


def receive_first_message(client, source, capture):
    with capture(execute=True):
        assert deliver(client, source, FIRST_MESSAGE[source.kind]).status_code == 200
    return Complaint.objects.get()


def test_telegram_acknowledgement_and_answer_go_through_send_message(
        db, client, fake_platform, django_capture_on_commit_callbacks):
    source = source_for("telegram", fake_platform.url)
    complaint = receive_first_message(client, source, django_capture_on_commit_callbacks)
    ack = fake_platform.requests[0]
    assert ack["path"] == f"/bot{TOKENS['telegram']}/sendMessage"
    assert ack["json"]["chat_id"] == 5120447783 and complaint.number in ack["json"]["text"]
    sent = OutboundMessage.objects.get()
    assert sent.sent_at is not None and sent.error == "" and sent.message_id == "telegram:5120447783:9001"
    assert sent.recipient == "telegram:telegram-out:5120447783" and complaint.number in sent.body

    answer = send_to_customer(complaint, subject="Ответ", text="Чайник заменим, курьер приедет в среду.")
    assert answer.sent_at is not None and answer.error == ""
    assert fake_platform.requests[1]["json"] == {
        "chat_id": 5120447783, "text": "Чайник заменим, курьер приедет в среду.",
    }


def test_vk_acknowledgement_and_answer_go_through_messages_send(
        db, client, fake_platform, django_capture_on_commit_callbacks):
    source = source_for("vk", fake_platform.url)
    complaint = receive_first_message(client, source, django_capture_on_commit_callbacks)
    answer = send_to_customer(complaint, subject="Ответ", text="Мастер свяжется с вами сегодня.")
    ack, reply = fake_platform.requests
    assert ack["path"] == reply["path"] == "/method/messages.send"
    assert complaint.number in ack["form"]["message"]
    assert reply["form"]["message"] == "Мастер свяжется с вами сегодня."
    for request in (ack, reply):
        assert request["form"]["peer_id"] == "48213377" and request["form"]["v"] == "5.199"
        assert request["form"]["access_token"] == TOKENS["vk"]
    assert ack["form"]["random_id"] != reply["form"]["random_id"]
    assert answer.message_id == "vk:48213377:7002" and answer.sent_at is not None


def test_generic_acknowledgement_and_answer_post_to_messages_with_a_bearer_token(
        db, client, fake_platform, django_capture_on_commit_callbacks):
    source = source_for("generic", fake_platform.url + "/api/")
    complaint = receive_first_message(client, source, django_capture_on_commit_callbacks)
    send_to_customer(complaint, subject="Ответ", text="Платёж найден, заказ передан на сборку.")
    ack, reply = fake_platform.requests
    assert ack["path"] == reply["path"] == "/api/messages"
    assert ack["headers"]["Authorization"] == f"Bearer {TOKENS['generic']}"
    assert ack["json"]["chat_id"] == "visitor-8f41c2d7" and complaint.number in ack["json"]["text"]
    assert reply["json"] == {"chat_id": "visitor-8f41c2d7", "text": "Платёж найден, заказ передан на сборку.",
                             "complaint": complaint.number}
    assert OutboundMessage.objects.filter(sent_at__isnull=False).count() == 2


def test_a_messenger_card_is_answered_in_the_chat_not_by_email(
        db, client, fake_platform, mailoutbox, django_capture_on_commit_callbacks):
    receive_first_message(client, source_for("generic", fake_platform.url), django_capture_on_commit_callbacks)
    assert Complaint.objects.get().contact.email == "olga.kravets@example.ru"
    assert len(fake_platform.requests) == 1 and mailoutbox == []


@pytest.mark.parametrize("kind", ["telegram", "vk", "generic"])
def test_a_platform_error_is_recorded_and_never_raised(db, client, fake_platform, kind,
                                                      django_capture_on_commit_callbacks):
    fake_platform.status = 500
    complaint = receive_first_message(client, source_for(kind, fake_platform.url), django_capture_on_commit_callbacks)
    answer = send_to_customer(complaint, subject="Ответ", text="Ответ по существу.")
    assert len(fake_platform.requests) == 2
    for sent in OutboundMessage.objects.all():
        assert sent.sent_at is None and "HTTP 500" in sent.error
    assert answer.error and answer.sent_at is None


def test_vk_reports_errors_with_http_200_and_they_are_recorded(db, client, fake_platform,
                                                              django_capture_on_commit_callbacks):
    fake_platform.vk_error = True
    receive_first_message(client, source_for("vk", fake_platform.url), django_capture_on_commit_callbacks)
    sent = OutboundMessage.objects.get()
    assert sent.sent_at is None and "without permission" in sent.error


def test_an_unreachable_platform_is_recorded_without_leaking_the_bot_token(db):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = source_for("telegram", f"http://127.0.0.1:{port}")
    complaint = Complaint.objects.create(number="2025-000901", received_at="2025-05-20T10:00:00Z",
                                         channel="messenger", wording="…", thread_key=f"telegram:{source.name}:42")
    answer = send_to_customer(complaint, subject="", text="Ответ")
    assert "ConnectionError" in answer.error and TOKENS["telegram"] not in answer.error
    assert "***" in OutboundMessage.objects.get().error


def test_a_long_answer_is_split_for_telegram(db, fake_platform):
    source = source_for("telegram", fake_platform.url)
    complaint = Complaint.objects.create(number="2025-000902", received_at="2025-05-20T10:00:00Z",
                                         channel="messenger", wording="…", thread_key=f"telegram:{source.name}:42")
    text = "\n".join(f"Строка {n} подробного ответа о причинах и принятых мерах." for n in range(150))
    answer = send_to_customer(complaint, subject="", text=text)
    pieces = [request["json"]["text"] for request in fake_platform.requests]
    assert len(pieces) == 3 and all(len(piece) <= 4096 for piece in pieces)
    assert "\n".join(pieces) == text and answer.body == text and answer.sent_at is not None


def test_a_card_whose_source_was_removed_records_why_it_was_not_answered(db, fake_platform):
    complaint = Complaint.objects.create(number="2025-000903", received_at="2025-05-20T10:00:00Z",
                                         channel="messenger", wording="…", thread_key="vk:gone:42")
    answer = send_to_customer(complaint, subject="", text="Ответ")
    assert "No vk webhook source 'gone'" in answer.error and fake_platform.requests == []
