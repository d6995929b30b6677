"""Compensation through the API: the same limits, approval and errors as the card's panel."""

from datetime import timedelta

from django.utils import timezone

from amends.answers.models import CompensationGrant, CompensationOption

from .helpers import url


def option(kind: str) -> CompensationOption:
    return CompensationOption.objects.get(kind=kind)


def grant(client, complaint, kind: str, value: str):
    return client.post(url(complaint, "compensation"), {
        "option": option(kind).pk, "value": value, "method": "bank transfer",
        "due_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }, format="json")


def test_the_options_the_user_may_grant_with_their_limits(api, complaint, operator, manager):
    options = api(operator).get(url(complaint, "compensation/options")).json()
    assert {o["kind"]: o["limit"] for o in options} == {
        "apology_card": "1000.00", "gift": "1000.00", "free_delivery": "1000.00", "voucher": "2000.00",
    }
    assert api(manager).get(url(complaint, "compensation/options")).json() == []  # managers only read


def test_within_the_limit_approved_at_once_above_it_pending(api, assigned, responsible):
    client = api(responsible)
    within = grant(client, assigned, "voucher", "5000")
    assert within.status_code == 201 and within.json()["status"] == "approved"
    above = grant(client, assigned, "voucher", "5000.01")
    assert above.status_code == 201  # waiting for approval is a normal answer
    assert above.json()["status"] == "pending" and above.json()["granted_by"]["username"] == "responsible"
    listed = client.get(url(assigned, "compensation")).json()
    assert listed["currency"] == "RUB" and listed["penalty"] is None
    assert [g["status"] for g in listed["grants"]] == ["approved", "pending"]


def test_an_option_outside_the_role_is_403_with_a_clear_error(api, complaint, operator):
    response = grant(api(operator), complaint, "refund", "10")
    assert response.status_code == 403
    assert response.json()["detail"] == f"Your role may not grant “{option('refund').name}”."
    assert not CompensationGrant.objects.exists()


def test_bad_values_are_400_per_field(api, complaint, operator):
    response = grant(api(operator), complaint, "gift", "-5")
    assert response.status_code == 400 and "value" in response.json()["errors"]


def test_the_qms_head_approves_or_refuses_and_a_decided_grant_is_409(api, assigned, responsible, qms):
    first = grant(api(responsible), assigned, "refund", "20000").json()
    second = grant(api(responsible), assigned, "refund", "30000").json()
    approve = url(assigned, f"compensation/{first['id']}/approve")
    assert api(responsible).post(approve, format="json").status_code == 403
    approved = api(qms).post(approve, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"]["username"] == "qms"
    again = api(qms).post(approve, format="json")
    assert again.status_code == 409 and "decided already" in again.json()["detail"]
    refuse = url(assigned, f"compensation/{second['id']}/refuse")
    assert api(qms).post(refuse, {"reason": ""}, format="json").status_code == 400
    refused = api(qms).post(refuse, {"reason": "Above the price."}, format="json").json()
    assert (refused["status"], refused["decision_reason"]) == ("refused", "Above the price.")
    assert api(qms).post(url(assigned, "compensation/999999/approve"), format="json").status_code == 404


def test_the_operations_are_in_the_schema(api):
    schema = api().get("/api/schema/?format=json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()
                  if isinstance(op, dict) and "operationId" in op}
    assert {"complaints_compensation", "complaints_compensation_grant", "complaints_compensation_options",
            "complaints_compensation_approve", "complaints_compensation_refuse"} <= operations
