"""POST /intake/webhook/<source>/: who may post, what is stored, and what the platform is answered."""

import pytest
from django.test import Client, override_settings

from amends.complaints.models import Complaint
from amends.intake.channels.webhooks.signing import signature
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.services import inbound_reprocess

from .test_webhooks_support import SECRETS, deliver, make_source, payload, post


def nothing_stored():
    return InboundMessage.objects.count() == 0 and Complaint.objects.count() == 0


@pytest.mark.parametrize("path", ["no-such-source", "UPPER_and_digits_1", "a" * 120, "dots.and~tilde", "nul%00x",
                                  "%D0%B1%D0%BE%D1%82"])
def test_unknown_source_is_a_json_404(db, client, path):
    make_source("generic", "known")
    response = client.post(f"/intake/webhook/{path}/", data=b"{}", content_type="application/json",
                           headers={"X-Amends-Signature": signature(b"{}", SECRETS["generic"])})
    assert response.status_code == 404 and response.json()["ok"] is False
    assert nothing_stored()


def test_an_inactive_source_answers_like_an_unknown_one(db, client):
    source = make_source("generic", is_active=False)
    response = post(client, source.name, payload("generic_message"), sign_with=source.secret)
    assert response.status_code == 404 and nothing_stored()


@pytest.mark.parametrize("kind, fixture", [
    ("telegram", "telegram_message"), ("vk", "vk_message_new"), ("generic", "generic_message"),
])
def test_a_valid_hmac_signature_is_accepted_from_every_kind(db, client, kind, fixture):
    source = make_source(kind)
    response = post(client, source.name, payload(fixture), sign_with=source.secret)
    assert response.status_code == 200
    assert InboundMessage.objects.get().status == InboundStatus.REGISTERED and Complaint.objects.count() == 1


@pytest.mark.parametrize("how", ["missing", "other secret", "tampered body", "not hex", "bare hex"])
def test_a_wrong_or_missing_signature_is_403_and_stores_nothing(db, client, how):
    source = make_source("generic")
    body = payload("generic_message")
    header = {
        "missing": None,
        "other secret": signature(body, "not-the-secret"),
        "tampered body": signature(body.replace(b"30117", b"30118"), source.secret),
        "not hex": "sha256=zz",
        "bare hex": signature(body, source.secret).removeprefix("sha256="),
    }[how]
    response = post(client, source.name, body, headers={"X-Amends-Signature": header} if header else {})
    assert response.status_code == 403 and response.json()["ok"] is False
    assert nothing_stored()


def test_the_signature_header_may_be_upper_case_hex(db, client):
    source = make_source("generic")
    body = payload("generic_message")
    response = post(client, source.name, body, headers={"X-Amends-Signature": signature(body, source.secret).upper()})
    assert response.status_code == 200


def test_telegram_secret_header_must_match(db, client):
    source = make_source("telegram")
    for token in ["", "tg-secret_2f9c8", "tg-secret_2f9c81x", "ТГ-секрет"]:
        response = post(client, source.name, payload("telegram_message"),
                        headers={"X-Telegram-Bot-Api-Secret-Token": token})
        assert response.status_code == 403
    assert nothing_stored()


def test_vk_body_secret_must_match(db, client):
    source = make_source("vk", secret="another-vk-secret")
    assert deliver(client, source, "vk_message_new").status_code == 403
    assert deliver(client, source, "vk_confirmation").status_code == 403
    assert nothing_stored()


def test_platform_secrets_are_not_accepted_by_the_generic_kind(db, client):
    source = make_source("generic")
    body = payload("generic_message")
    response = post(client, source.name, body, headers={"X-Telegram-Bot-Api-Secret-Token": source.secret})
    assert response.status_code == 403
    assert post(client, source.name, body.replace(b'"id"', f'"secret": "{source.secret}", "id"'.encode())
                ).status_code == 403
    assert nothing_stored()


def test_a_source_without_a_secret_accepts_nothing(db, client):
    source = make_source("generic", secret="")
    body = payload("generic_message")
    assert post(client, source.name, body, headers={"X-Amends-Signature": signature(body, "")}).status_code == 403
    assert nothing_stored()


def test_a_replayed_update_stores_and_creates_nothing_new(db, client):
    source = make_source("telegram")
    first = deliver(client, source, "telegram_message")
    again = deliver(client, source, "telegram_message")
    assert first.json() == {"ok": True, "status": "registered"}
    assert again.status_code == 200 and again.json() == {"ok": True, "status": "replay"}
    assert InboundMessage.objects.count() == 1 and Complaint.objects.count() == 1
    assert Complaint.objects.get().events.filter(kind="message_in").count() == 0


def test_the_same_update_id_from_two_sources_is_two_messages(db, client):
    one, two = make_source("telegram", "bot-one"), make_source("telegram", "bot-two")
    deliver(client, one, "telegram_message")
    deliver(client, two, "telegram_message")
    assert InboundMessage.objects.count() == 2 and Complaint.objects.count() == 2


@pytest.mark.parametrize("body", [b"", b"{not json", b'{"update_id": 1,', b"\xff\xfe\x00garbage", b"[" * 50_000])
def test_invalid_json_with_a_valid_signature_is_kept_in_quarantine_and_answered_200(db, client, body):
    source = make_source("generic")
    response = post(client, source.name, body, sign_with=source.secret)
    assert response.status_code == 200 and response.json() == {"ok": True, "status": "quarantined"}
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.QUARANTINED and "not valid JSON" in message.reason
    assert bytes(message.raw) == body and Complaint.objects.count() == 0


def test_invalid_json_to_vk_is_answered_ok_so_vk_does_not_retry(db, client):
    source = make_source("vk")
    response = post(client, source.name, b'{"type": "message_new", ', sign_with=source.secret)
    assert response.status_code == 200 and response.content == b"ok"
    assert InboundMessage.objects.get().status == InboundStatus.QUARANTINED


def test_invalid_json_without_a_signature_cannot_authenticate_with_vk(db, client):
    source = make_source("vk")
    response = post(client, source.name, f'{{"secret": "{source.secret}", '.encode())
    assert response.status_code == 403 and nothing_stored()


def test_a_quarantined_message_is_processed_again_once_its_source_is_back(db, client):
    source = make_source("generic", "widget")
    response = post(client, source.name, payload("generic_message"), sign_with=source.secret)
    assert response.json()["status"] == "registered"
    message = InboundMessage.objects.get()
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.QUARANTINED, complaint=None)
    Complaint.objects.all().delete()
    source.delete()
    assert inbound_reprocess(InboundMessage.objects.get()).status == InboundStatus.QUARANTINED
    assert "no longer exists" in InboundMessage.objects.get().reason
    make_source("generic", "widget")
    assert inbound_reprocess(InboundMessage.objects.get()).status == InboundStatus.REGISTERED
    assert Complaint.objects.count() == 1


def test_only_post_is_allowed(db, client):
    source = make_source("generic")
    response = client.get(f"/intake/webhook/{source.name}/")
    assert response.status_code == 405 and response["Allow"] == "POST" and nothing_stored()


def test_the_endpoint_needs_no_csrf_token(db):
    source = make_source("generic")
    response = post(Client(enforce_csrf_checks=True), source.name, payload("generic_message"),
                    sign_with=source.secret)
    assert response.status_code == 200


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_413_and_stores_nothing(db, client):
    source = make_source("generic")
    body = b'{"id": "big", "chat_id": "c", "text": "' + b"x" * 2000 + b'"}'
    response = post(client, source.name, body, sign_with=SECRETS["generic"])
    assert response.status_code == 413 and response.json()["ok"] is False and nothing_stored()


@pytest.mark.parametrize("body", [
    b'{"id": "\\ud800", "chat_id": "c", "text": "lone surrogate in the id"}',
    b'{"id": 1, "chat_id": "\\udfff", "text": "in the chat", "sender": {"name": "\\ud83d"}}',
    b'{"id": 2, "chat_id": "c", "text": "NUL \\u0000 and \\ud800 in the text"}',
])
def test_strings_no_database_can_store_are_cleaned_not_a_500(db, client, body):
    source = make_source("generic")
    response = post(client, source.name, body, sign_with=source.secret)
    assert response.status_code == 200 and response.json()["status"] == "registered"
    assert "\x00" not in Complaint.objects.get().wording


def test_a_payload_nested_beyond_any_real_one_is_quarantined_not_walked(db, client):
    # Parseable (under the parser's recursion limit) but deeper than any platform sends.
    body = b'{"id": 7, "chat_id": 1, "text": "hi", "extra": ' + b"[" * 500 + b"]" * 500 + b"}"
    source = make_source("generic")
    response = post(client, source.name, body, sign_with=source.secret)
    assert response.status_code == 200 and response.json() == {"ok": True, "status": "quarantined"}
    assert InboundMessage.objects.get().status == InboundStatus.QUARANTINED and Complaint.objects.count() == 0
