"""Idempotency-Key: a retry returns the first answer and registers nothing new, even when racing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from amends.accounts.roles import Role
from amends.api.models import IdempotencyKey
from amends.api.services import idempotency_purge
from amends.complaints.choices import Channel
from amends.customers.models import Contact
from amends.intake.models import InboundMessage

LIST = "/api/v1/complaints/"
BODY = {"channel": Channel.PHONE, "text": "Не работает гарантийный ремонт.",
        "customer": {"name": "Сидоров", "phone": "+7 900 000-00-01"}}


def post(client, body=BODY, key="order-1"):
    return client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_returns_the_first_answer_and_creates_nothing(api, operator, process_queued):
    client = api(operator)
    first = post(client)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    retry = post(client, body={**BODY, "customer": dict(reversed(list(BODY["customer"].items())))})
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert process_queued() == 1 and Contact.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, operator):
    client = api(operator)
    number = post(client).json()["number"]
    response = post(client, body={**BODY, "text": "Другая жалоба"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
        "code": "idempotency_key_reused",
    }
    assert list(InboundMessage.objects.values_list("number", flat=True)) == [number]


def test_keys_belong_to_their_user(api, operator, qms):
    assert post(api(operator)).json()["number"] != post(api(qms)).json()["number"]
    assert InboundMessage.objects.count() == 2


def test_different_keys_register_different_complaints(api, operator):
    client = api(operator)
    assert post(client, key="a").json()["number"] != post(client, key="b").json()["number"]


def test_a_refused_request_does_not_use_up_its_key(api, operator, executor):
    client = api(operator)
    invalid = post(client, body={**BODY, "channel": "pigeon"})
    assert invalid.status_code == 400
    assert post(client).status_code == 201
    # Nor does one the role forbids: the executor's key stays free.
    assert post(api(executor)).status_code == 403
    assert IdempotencyKey.objects.filter(user=executor).count() == 0


# A NUL as well: PostgreSQL cannot store it and answered 500.
@pytest.mark.parametrize("key", ["", "   ", "k" * 256, "a\x00b", "a\x07b"])
def test_a_malformed_key_is_400(api, operator, key):
    response = post(api(operator), key=key)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert InboundMessage.objects.count() == 0


THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_register_one_complaint(reference_data_restored, make_user, at_once):
    operator = make_user("racer", Role.OPERATOR)
    token = Token.objects.create(user=operator).key

    def retry() -> tuple[int, dict]:
        client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(LIST, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race-1")
        return response.status_code, response.json()

    results = at_once(retry, THREADS)
    assert [status for status, _body in results] == [201] * THREADS
    assert len({body["number"] for _status, body in results}) == 1
    assert InboundMessage.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_after_the_retention_a_key_is_a_new_request(api, operator, settings):
    settings.AMENDS_IDEMPOTENCY_KEEP_HOURS = 2
    client = api(operator)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        first = post(client).json()["number"]
        clock.shift(timedelta(hours=1, minutes=59))
        assert post(client).json()["number"] == first
        clock.shift(timedelta(minutes=2))
        # Even with another body: the old answer is gone, not a reason for 422.
        fresh = post(client, body={**BODY, "text": "Повторно, уже другая жалоба."})
        assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh
        assert fresh.json()["number"] != first
        assert post(client, body={**BODY, "text": "Повторно, уже другая жалоба."}).json() == fresh.json()
    assert InboundMessage.objects.count() == 2
    assert IdempotencyKey.objects.get().body["number"] == fresh.json()["number"]


def test_purge_deletes_only_expired_keys(api, operator, qms, settings):
    settings.AMENDS_IDEMPOTENCY_KEEP_HOURS = 24
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        post(api(operator), key="old")
        clock.shift(timedelta(hours=12))
        post(api(qms), key="recent")
        assert idempotency_purge() == 0
        clock.shift(timedelta(hours=12, seconds=1))
        assert idempotency_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert idempotency_purge(now=start + timedelta(days=2)) == 1
    assert not IdempotencyKey.objects.exists()
    assert InboundMessage.objects.count() == 2
