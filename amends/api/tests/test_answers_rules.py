"""The answers operations keep the API's conventions: one tag, 409 for what the card's state no longer
allows, Idempotency-Key on the writes a retry must not repeat, a failed e-mail retried on request."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from amends.answers.models import CompensationOption, Delivery, Letter
from amends.answers.tests.conftest import letterhead  # noqa: F401 - the company's letterhead
from amends.complaints.choices import EventKind
from amends.complaints.services import complaint_transition
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the loopback SMTP server
from tests.harness.dovecot import free_port

from .helpers import url


@pytest.fixture
def closed(decided_unjustified, responsible):
    card = complaint_transition(complaint=decided_unjustified, name="answer", actor=responsible,
                                data={"answer_text": "Ответ."})
    return complaint_transition(complaint=card, name="close", actor=responsible,
                                data={"customer_unreachable": True, "unreachable_note": "Не отвечает."})


def test_every_answers_operation_is_under_one_tag_with_the_cards_ids(client, db):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").content)
    answers = {
        operation["operationId"]: path for path, operations in schema["paths"].items()
        for operation in operations.values() if operation["tags"] == ["answers"]
    }
    assert {"complaints_letter_draft", "complaints_letter_missing", "complaints_letter_send", "complaints_deliveries",
            "complaints_delivery_channels", "complaints_delivery_retry", "complaints_compensation_grant",
            "complaints_message_customer", "tone_check", "letter_templates_list", "letter_references_list",
            } <= set(answers)
    for operation, path in answers.items():
        first = path.removeprefix("/api/v1/").split("/")[0].replace("-", "_")
        assert operation == first or operation.startswith(first + "_"), operation  # as complaints_*, auth_token
    send = schema["paths"]["/api/v1/complaints/{number}/letters/{letter_id}/send/"]["post"]
    assert {"400", "403", "404", "409", "422"} <= set(send["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in send["parameters"]]
    assert "the ID in the path is of nothing on it" in send["responses"]["404"]["description"]


@pytest.mark.parametrize(("part", "body"), [
    ("letters", {"outcome": "refused"}),
    ("messages", {"text": "Здравствуйте"}),
    ("compensation", {"option": 1, "value": "100", "method": "в магазине", "due_date": "2030-01-01"}),
])
def test_a_write_on_a_closed_card_is_409_for_one_who_makes_it_and_403_for_others(
    api, closed, responsible, executor, part, body,
):
    refused = api(responsible).post(url(closed, part), body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "transition_not_allowed"
    assert api(executor).post(url(closed, part), body, format="json").status_code in (403, 404)


def test_no_answer_is_sent_on_a_closed_card(api, closed, responsible):
    letter = Letter.objects.create(complaint=closed, outcome="refused", language="en", subject="S", body="B")
    response = api(responsible).post(url(closed, f"letters/{letter.pk}/send"), {"channel": "tracking"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    assert not Delivery.objects.exists()


def test_a_message_retried_with_its_key_is_written_once(api, complaint, qms):
    client = api(qms)
    body = {"text": "Заменим чайник завтра до 18:00."}
    first = client.post(url(complaint, "messages"), body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    again = client.post(url(complaint, "messages"), body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert complaint.events.filter(kind=EventKind.MESSAGE_OUT).count() == 1
    other = client.post(url(complaint, "messages"), {"text": "Другое"}, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_a_grant_refused_for_its_input_keeps_its_key_free(api, decided_justified, responsible):
    refund = CompensationOption.objects.get(kind="refund")
    path = url(decided_justified, "compensation")
    past = {"option": refund.pk, "value": "100", "method": "transfer",
            "due_date": (timezone.localdate() - timedelta(days=1)).isoformat()}
    assert api(responsible).post(path, past, format="json", HTTP_IDEMPOTENCY_KEY="g-1").status_code == 400
    corrected = {**past, "due_date": timezone.localdate().isoformat()}
    assert api(responsible).post(path, corrected, format="json", HTTP_IDEMPOTENCY_KEY="g-1").status_code == 201


def test_a_failed_email_is_retried_on_request_and_anything_else_is_409(
    api, settings, decided_unjustified, responsible, smtp_server, letterhead,  # noqa: F811 - fixtures
    django_capture_on_commit_callbacks,
):
    customer = decided_unjustified.contact
    customer.address = "420000, Kazan, Baumana St. 1"
    customer.save()
    # A holding reply with every element it needs: the company, both addresses, the customer's words.
    body = "\n".join([letterhead.name, letterhead.registration, letterhead.address, customer.address,
                      decided_unjustified.wording, "We will answer by Friday."])
    letter = Letter.objects.create(complaint=decided_unjustified, outcome="holding", language="en",
                                   subject="Under review", body=body)
    working_port, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = settings.EMAIL_PORT, free_port(), 2
    client = api(responsible)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = client.post(url(decided_unjustified, f"letters/{letter.pk}/send"),
                               {"channel": "email", "reason": "Short holding reply."}, format="json").json()
    failed = client.get(url(decided_unjustified, "deliveries")).json()[0]
    assert failed["status"] == "failed" and failed["attempts"] == 1 and failed["error"]

    settings.EMAIL_PORT = working_port
    retried = client.post(url(decided_unjustified, f"deliveries/{delivery['id']}/retry"))
    assert retried.status_code == 200 and retried.json()["status"] == "sent" and retried.json()["attempts"] == 2
    assert len(smtp_server.envelopes) == 1
    again = client.post(url(decided_unjustified, f"deliveries/{delivery['id']}/retry"))
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
