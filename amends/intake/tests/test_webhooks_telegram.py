"""The Telegram adapter on stored Bot API updates."""

from datetime import UTC, datetime

import pytest

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage, InboundStatus

from .test_webhooks_support import deliver, make_source, payload, post


@pytest.fixture
def bot(db):
    return make_source("telegram", "quality-bot")


def test_a_text_message_registers_a_messenger_card_for_its_chat(client, bot):
    response = deliver(client, bot, "telegram_message")
    assert response.status_code == 200 and response.json() == {"ok": True, "status": "registered"}
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.MESSENGER
    assert complaint.wording.startswith("Здравствуйте! Заказ 45871 пришёл с треснувшим корпусом")
    assert complaint.thread_key == "telegram:quality-bot:5120447783"
    assert complaint.contact.full_name == "Анна Смирнова (@anna_smirnova)"
    assert complaint.received_at == datetime.fromtimestamp(1747724100, tz=UTC)
    message = InboundMessage.objects.get()
    assert message.source == "webhook:quality-bot" and message.external_ref == "731902114"
    assert message.complaint == complaint and message.channel == Channel.MESSENGER


def test_the_next_message_from_the_same_chat_goes_onto_the_open_card(client, bot):
    deliver(client, bot, "telegram_message")
    response = deliver(client, bot, "telegram_message_followup")
    assert response.json()["status"] == "threaded"
    complaint = Complaint.objects.get()
    assert complaint.events.filter(kind="message_in", text__startswith="Коробка тоже была помята").count() == 1


def test_a_photo_keeps_its_caption_and_the_file_id_of_the_largest_size(client, bot):
    deliver(client, bot, "telegram_photo_caption")
    wording = Complaint.objects.get().wording
    assert wording.startswith("Вот трещина на корпусе, снизу у ручки.")
    assert "[Telegram photo, file_id AgACAgIAAxkBAAIEn2ZLq1_large_1280x960]" in wording
    assert "small" not in wording


def test_a_document_without_caption_is_still_a_complaint(client, bot):
    assert deliver(client, bot, "telegram_document").json()["status"] == "registered"
    complaint = Complaint.objects.get()
    assert complaint.wording == ("[Telegram document акт_о_браке_0417.pdf application/pdf, "
                                 "file_id BQACAgIAAxkBAAIEo2ZLsKc_acte_pdf]")
    assert complaint.contact.full_name == "Павел (@p_orlov)"


def test_an_edited_message_is_added_to_the_card_marked_as_an_edit(client, bot):
    deliver(client, bot, "telegram_message")
    assert deliver(client, bot, "telegram_edited_message").json()["status"] == "threaded"
    event = Complaint.objects.get().events.get(kind="message_in")
    assert event.text.startswith("[edited] Здравствуйте! Заказ 45872 (не 45871)")


def test_a_channel_post_is_signed_by_the_channel(client, bot):
    deliver(client, bot, "telegram_channel_post")
    complaint = Complaint.objects.get()
    assert complaint.contact.full_name == "Дилеры Северо-Запад"
    assert complaint.thread_key == "telegram:quality-bot:-1002049811234"


@pytest.mark.parametrize("fixture, reason", [
    ("telegram_sticker", "Telegram message without text or file (sticker)."),
    ("telegram_callback_query", "Telegram update is not a message (callback_query)."),
])
def test_updates_without_text_are_ignored_not_quarantined(client, bot, fixture, reason):
    response = deliver(client, bot, fixture)
    assert response.status_code == 200 and response.json() == {"ok": True, "status": "ignored"}
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.IGNORED and message.reason == reason
    assert Complaint.objects.count() == 0


def test_a_sticker_in_a_chat_with_an_open_card_adds_nothing(client, bot):
    deliver(client, bot, "telegram_message")
    deliver(client, bot, "telegram_sticker")
    assert Complaint.objects.get().events.filter(kind="message_in").count() == 0


def test_a_message_from_another_bot_is_ignored(client, bot):
    body = payload("telegram_message").replace(b'"is_bot": false', b'"is_bot": true')
    response = post(client, bot.name, body, headers={"X-Telegram-Bot-Api-Secret-Token": bot.secret})
    assert response.json()["status"] == "ignored" and Complaint.objects.count() == 0


def test_a_message_without_a_chat_is_quarantined_with_the_reason(client, bot):
    body = b'{"update_id": 5, "message": {"message_id": 1, "date": 1747724100, "text": "no chat"}}'
    response = post(client, bot.name, body, headers={"X-Telegram-Bot-Api-Secret-Token": bot.secret})
    assert response.json()["status"] == "quarantined"
    assert InboundMessage.objects.get().reason == "ValueError: Telegram message without a chat."
