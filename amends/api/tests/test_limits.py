"""Limits on what a client can push: the same text lengths as the web form, and JSON nested beyond
any real payload refused as a bad request, not a server error."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.complaints.choices import Justification
from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.complaints.models import Measure
from amends.complaints.services import complaint_transition, measure_add

from .helpers import url
from .test_measures import due, measure_url
from .test_transitions import step

LIST = "/api/v1/complaints/"
TOO_LONG = "x" * (TEXT_MAX_LENGTH + 1)


@pytest.mark.parametrize("body", [
    "[" * 100_000,
    '{"channel": "phone", "text": ' + "[" * 100_000,
    '{"channel": "phone", "text": "x", "customer": ' + '{"a": ' * 200 + "1" + "}" * 201,
])
def test_deeply_nested_json_is_a_400(api, operator, body):
    response = api(operator).post(LIST, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_the_token_endpoint_refuses_deep_json_too(db, api):
    response = api().post("/api/v1/auth/token/", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400


def test_complaint_text_is_as_long_as_the_web_form_allows(api, operator):
    client = api(operator)
    customer = {"name": "Анна"}
    response = client.post(LIST, {"channel": "phone", "text": TOO_LONG, "customer": customer}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["text"]
    response = client.post(LIST, {"channel": "phone", "text": TOO_LONG[1:], "customer": customer}, format="json")
    assert response.status_code == 201, response.json()


def test_a_note_is_bounded(api, qms, complaint):
    response = api(qms).post(url(complaint, "notes"), {"text": TOO_LONG}, format="json")
    assert response.status_code == 400 and not complaint.events.filter(kind="note").exists()


def test_a_transition_comment_and_its_text_inputs_are_bounded(api, qms, responsible, investigating, cause):
    response = step(api(qms), investigating, "withdraw", comment=TOO_LONG)
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    response = step(api(responsible), investigating, "decide", justification=Justification.UNJUSTIFIED,
                    cause=cause.pk, opinion=TOO_LONG)
    assert response.status_code == 400 and "opinion" in response.json()["errors"]


def test_a_measure_and_its_report_are_bounded(api, responsible, executor, decided_justified):
    client = api(responsible)
    response = client.post(url(decided_justified, "measures"),
                           {"description": TOO_LONG, "executor": executor.pk, "due_date": due()}, format="json")
    assert response.status_code == 400 and not Measure.objects.exists()


def test_a_measure_report_is_bounded(api, executor, qms, responsible, decided_justified):
    measure = measure_add(complaint=decided_justified, actor=responsible, description="Сменить упаковку",
                          executor=executor, due_date=timezone.localdate() + timedelta(days=5))
    complaint_transition(complaint=decided_justified, name="plan", actor=responsible)
    complaint_transition(complaint=decided_justified, name="approve", actor=qms)
    response = api(executor).post(measure_url(decided_justified, measure, "report"), {"report": TOO_LONG},
                                  format="json")
    assert response.status_code == 400
    measure.refresh_from_db()
    assert measure.report == ""
