"""Who may call each CAPA endpoint of a record: one who does not see it gets 404 (as for an unknown
number), one who sees it but may not do this 403, no one signed in 401; and every operation is in
the schema with its errors."""

import json

import pytest

from amends.accounts.roles import Role

from .capa_fixtures import due, rec

# (method, part of the record's URL, body): each a write of the record's manager (its owner or the QMS head).
MANAGER_WRITES = [
    ("patch", "", {"title": "New"}),
    ("post", "steps", {"step": "reopen", "reason": "Again"}),
    ("put", "whys", {"steps": [{"why": "Why?", "because": "Because"}]}),
    ("post", "fishbone", {"category": "man", "text": "Rushed"}),
    ("post", "analysis", {"root_cause": "Heat"}),
    ("post", "actions", {"owner": 1, "description": "Do", "due_date": due().isoformat()}),
    ("post", "actions/complete", {}),
    ("post", "actions/{action}/cancel", {"reason": "No"}),
    ("post", "actions/{action}/reschedule", {"due_date": due().isoformat()}),
    ("post", "actions/{action}/check", {"effective": True, "comment": "Fine"}),
]
READS = ["", "timeline", "actions/{action}/evidence"]


@pytest.fixture
def people(make_user, owner, qms):
    """One who sees the record without managing it (a manager: the other overseers are process owners),
    and a stranger
    of every other role."""
    return {
        "sees": [make_user("a_manager", Role.MANAGER)],
        "strangers": [make_user(f"a_{role}", role) for role in (Role.OPERATOR, Role.RESPONSIBLE, Role.EXECUTOR)]
                     + [make_user("no_role")],
    }


def address(done_action, part: str) -> str:
    return rec(done_action.nonconformity, part.format(action=done_action.pk))


@pytest.mark.parametrize("method, part, body", MANAGER_WRITES)
def test_a_managers_write_is_404_for_strangers_403_for_onlookers(api, people, done_action, method, part, body):
    for user in people["strangers"]:
        assert getattr(api(user), method)(address(done_action, part), body, format="json").status_code == 404
    for user in people["sees"]:
        assert getattr(api(user), method)(address(done_action, part), body, format="json").status_code == 403
    assert getattr(api(), method)(address(done_action, part), body, format="json").status_code == 401


@pytest.mark.parametrize("part", READS)
def test_reads_are_for_those_who_see_the_record(api, people, owner, done_action, part):
    for user in people["strangers"]:
        assert api(user).get(address(done_action, part)).status_code == 404
    for user in [*people["sees"], owner]:
        assert api(user).get(address(done_action, part)).status_code == 200


def test_the_head_of_the_qms_only_appoints(api, people, owner, record):
    for user in [*people["sees"], owner]:
        assert api(user).post(rec(record, "appoint"), {"owner": owner.pk}, format="json").status_code == 403


def test_every_capa_operation_is_described_with_its_errors(client, db):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    operations = {op["operationId"]: op for ops in schema["paths"].values() for op in ops.values()}
    capa = {name: op for name, op in operations.items() if name.startswith("capa_")}
    assert len(capa) == 28
    for name, operation in capa.items():
        assert {"401", "200"} <= set(operation["responses"]) or "201" in operation["responses"] \
            or "204" in operation["responses"], name
        if "requestBody" in operation:
            assert "400" in operation["responses"], name
    promote = operations["complaints_measure_promote"]
    assert {"201", "400", "403", "404"} <= set(promote["responses"])
    assert "/api/v1/nonconformities/{record}/actions/{action_id}/check/" in schema["paths"]
