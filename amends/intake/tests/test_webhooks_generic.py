"""The generic JSON adapter (docs/webhooks.md) on stored messages."""

from datetime import datetime, timedelta, timezone

import pytest

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage, InboundStatus

from .test_webhooks_support import deliver, make_source, post


@pytest.fixture
def widget(db):
    return make_source("generic", "site-chat")


def test_a_message_registers_a_card_with_the_senders_contact(client, widget):
    response = deliver(client, widget, "generic_message")
    assert response.json() == {"ok": True, "status": "registered"}
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.MESSENGER and complaint.thread_key == "generic:site-chat:visitor-8f41c2d7"
    assert complaint.wording.startswith("Оплатила заказ 30117 две недели назад")
    assert complaint.contact.full_name == "Ольга Кравец"
    assert complaint.contact.email == "olga.kravets@example.ru"
    assert complaint.received_at == datetime(2025, 5, 21, 9, 42, 17, tzinfo=timezone(timedelta(hours=3)))
    assert InboundMessage.objects.get().external_ref == "wgt-20250521-000173"


def test_the_same_chat_continues_the_card(client, widget):
    deliver(client, widget, "generic_message")
    assert deliver(client, widget, "generic_followup").json()["status"] == "threaded"
    assert Complaint.objects.get().events.filter(kind="message_in", text="Номер платежа 88201334, если нужно.").exists()


def test_a_message_without_an_id_is_quarantined_with_the_reason(client, widget):
    response = deliver(client, widget, "generic_without_id")
    assert response.status_code == 200 and response.json()["status"] == "quarantined"
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.QUARANTINED and '"id"' in message.reason


@pytest.mark.parametrize("body, status", [
    (b'{"id": 7, "chat_id": "c1", "text": "   "}', "ignored"),
    (b'{"id": 8, "chat_id": "c1"}', "ignored"),
    (b'{"id": 9, "chat_id": "c1", "text": 42}', "quarantined"),
    (b'{"id": 10, "text": "no chat"}', "quarantined"),
    (b'{"id": 11, "chat_id": "a:b", "text": "colon in chat"}', "quarantined"),
    (b'[1, 2, 3]', "quarantined"),
    (b'{"id": 12, "chat_id": 77, "text": "bad time", "sent_at": "yesterday"}', "registered"),
    (b'{"id": 13, "chat_id": 78, "text": "far future", "sent_at": "2999-01-01T00:00:00Z"}', "registered"),
])
def test_odd_messages_get_a_status_never_an_error(client, widget, body, status):
    response = post(client, widget.name, body, sign_with=widget.secret)
    assert response.status_code == 200 and response.json()["status"] == status
    if status == "registered":
        assert Complaint.objects.get().received_at <= InboundMessage.objects.get().received_at
