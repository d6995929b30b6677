"""The VK Callback API adapter on stored events: handshake, secret, messages and wall comments."""

from datetime import UTC, datetime

import pytest

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage, InboundStatus

from .test_webhooks_support import deliver, make_source


@pytest.fixture
def community(db):
    return make_source("vk", "vk-club", channel=Channel.SOCIAL, confirmation_code="5e7a1c2d")


def test_the_confirmation_handshake_returns_the_code_as_plain_text_and_stores_nothing(client, community):
    response = deliver(client, community, "vk_confirmation")
    assert response.status_code == 200 and response.content == b"5e7a1c2d"
    assert response["Content-Type"].startswith("text/plain")
    assert InboundMessage.objects.count() == 0


def test_a_confirmation_without_a_configured_code_is_a_clear_error(client, db):
    source = make_source("vk", "vk-unconfirmed")
    response = deliver(client, source, "vk_confirmation")
    assert response.status_code == 400 and "confirmation code" in response.json()["error"]


def test_a_private_message_registers_a_card_and_vk_gets_ok(client, community):
    response = deliver(client, community, "vk_message_new")
    assert response.status_code == 200 and response.content == b"ok"
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.SOCIAL
    assert complaint.wording.startswith("Добрый день. Купил у вас кофемашину")
    assert complaint.thread_key == "vk:vk-club:48213377"
    assert complaint.contact.full_name == "vk.com/id48213377"
    assert complaint.received_at == datetime.fromtimestamp(1747735320, tz=UTC)
    assert InboundMessage.objects.get().external_ref == "9e2b7d7c1f5a4ab0c1c2a3b6e8f0d4d1a7b3c5e2"


def test_the_next_message_with_a_photo_goes_onto_the_same_card(client, community):
    deliver(client, community, "vk_message_new")
    deliver(client, community, "vk_message_new_photo")
    complaint = Complaint.objects.get()
    event = complaint.events.get(kind="message_in")
    assert event.text == "Вот лужа под ней.\n[VK photo: photo48213377_457239431]"
    assert InboundMessage.objects.filter(status=InboundStatus.THREADED).count() == 1


def test_a_wall_comment_opens_a_card_for_the_commenter_with_a_link_to_it(client, community):
    assert deliver(client, community, "vk_wall_reply_new").content == b"ok"
    complaint = Complaint.objects.get()
    assert complaint.wording.startswith("Третий раз заказываю через ваш сайт")
    assert complaint.wording.endswith("\nhttps://vk.com/wall-218765432_1402?reply=3310")
    assert complaint.thread_key == "vk:vk-club:70233519"


def test_the_communitys_own_reply_is_ignored(client, community):
    assert deliver(client, community, "vk_message_reply").content == b"ok"
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.IGNORED and "message_reply" in message.reason
    assert Complaint.objects.count() == 0


def test_a_redelivered_event_is_answered_ok_and_creates_nothing(client, community):
    deliver(client, community, "vk_message_new")
    response = deliver(client, community, "vk_message_new")
    assert response.content == b"ok"
    assert InboundMessage.objects.count() == 1 and Complaint.objects.count() == 1
