"""Schemathesis against the live schema: generated requests, valid and invalid, to every operation.

The schema is fetched from the application itself (`/api/schema/`), and every request is answered
in-process by its WSGI handler, authenticated with the token of an administrator (who may do
everything, so the deepest code is reached). A card operation with a valid-looking number gets a
real card, brought to the state its transition starts from (a measure operation: a card with a
measure, in the state that operation needs; an answer's operation: a decided card with a letter, a
grant waiting for approval and a letter for post, whose IDs it is given), so that the generated bodies
reach the services rather than a 404. Whatever comes in, the answer is never a 5xx and always matches what the
schema documents for its status; what the schema forbids is refused.

Size: the coverage phase (every boundary and wrong type the schema defines, deterministic) plus
15 random examples per operation: about 1,100 requests, ~60 s.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation

from amends.accounts.roles import Role
from amends.answers.letters import letter_draft
from amends.answers.models import CompensationGrant, CompensationOption, Delivery, Letterhead
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Cause, Complaint, Measure
from amends.complaints.services import complaint_register, complaint_transition, measure_add
from amends.customers.services import contact_create

EXAMPLES_PER_OPERATION = 15

# Loaded from the application when the tests are collected (the schema needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def requests_share_the_test_transaction(db):
    """As Django's test client does: keep the test's transaction open across requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(administrator):
    return Token.objects.create(user=administrator).key


# The shortest way to the state each transition starts from (the others start from "registered").
STEPS_BEFORE = {
    "investigate": 1, "withdraw": 2, "decide": 2, "answer": 3, "close": 4, "reopen": 4,
}
# Measures: planned on a justified decision, reported on once approved.
MEASURE_STEPS = {"measures/": 0, "measures/{measure_id}/": 1, "measures/{measure_id}/report/": 3}
# The answer's operations: a decided card with a letter, a grant waiting for approval and a letter for post.
ANSWER_PARTS = ("letters/", "compensation/", "deliveries/", "messages/", "pdf/")


@pytest.fixture(autouse=True)
def token_requests_unlimited(settings):
    """So that the generated token requests reach the view; the limit has its own tests."""
    settings.AMENDS_API_TOKEN_RATE = "off"


@pytest.fixture
def make_card(administrator, make_user):
    responsible = make_user("fuzz-responsible", Role.RESPONSIBLE)
    cause = Cause.objects.filter(is_active=True).first()
    steps = [
        ("assign", {"responsible": responsible}),
        ("investigate", {}),
        ("decide", {"justification": Justification.UNJUSTIFIED, "opinion": "Нет оснований.", "cause": cause}),
        ("answer", {"answer_text": "Ответ клиенту."}),
    ]

    def make(transition: str | None) -> Complaint:
        card = complaint_register(actor=administrator, channel=Channel.PHONE, wording="Проверка API")
        for name, data in steps[:STEPS_BEFORE.get(transition, 0)]:
            card = complaint_transition(complaint=card, name=name, actor=administrator, data=data)
        assert transition not in STEPS_BEFORE or card.state != State.REGISTERED
        return card

    def make_for_measures(part: str) -> tuple[Complaint, Measure]:
        card = complaint_register(actor=administrator, channel=Channel.PHONE, wording="Проверка мер")
        justified = {"justification": Justification.JUSTIFIED, "opinion": "Есть основания.", "cause": cause}
        for name, data in [("assign", {"responsible": responsible}), ("investigate", {}), ("decide", justified)]:
            card = complaint_transition(complaint=card, name=name, actor=administrator, data=data)
        measure = measure_add(complaint=card, actor=administrator, description="Мера", executor=responsible,
                              due_date=timezone.localdate())
        for name in ("plan", "approve")[:MEASURE_STEPS[part] - 1]:
            card = complaint_transition(complaint=card, name=name, actor=administrator)
        return card, measure

    def make_for_answers() -> tuple[Complaint, dict]:
        Letterhead.objects.get_or_create(name="Fuzz Ltd", registration="Reg. 1", address="1 Main St")
        contact = contact_create(full_name="Fuzz Customer", email="fuzz@example.com", address="2 Main St")
        card = complaint_register(actor=administrator, channel=Channel.EMAIL, contact=contact,
                                  wording="Проверка ответа")
        for name, data in steps[:3]:
            card = complaint_transition(complaint=card, name=name, actor=administrator, data=data)
        letter = letter_draft(complaint=card, actor=administrator, language="en")
        grant = CompensationGrant.objects.create(
            complaint=card, option=CompensationOption.objects.get(kind="refund"), value=50000, method="transfer",
            due_date=timezone.localdate(), granted_by=responsible,
        )
        delivery = Delivery.objects.create(letter=letter, channel="post", recipient=contact.address)
        return card, {"letter_id": letter.pk, "grant_id": grant.pk, "delivery_id": delivery.pk}

    make.for_measures = make_for_measures
    make.for_answers = make_for_answers
    return make


def with_real_card(case, make_card) -> None:
    """Swap a generated card number that is valid in form for a real card's."""
    meta = case.meta
    if "number" not in (case.path_parameters or {}) or (meta and meta.is_negative_at(ParameterLocation.PATH)):
        return
    part = case.path.partition("{number}/")[2]
    if part in MEASURE_STEPS:
        card, measure = make_card.for_measures(part)
        if "measure_id" in case.path_parameters:
            case.path_parameters["measure_id"] = measure.pk
        case.path_parameters["number"] = card.number
        return
    if part.startswith(ANSWER_PARTS):
        card, ids = make_card.for_answers()
        case.path_parameters.update({key: ids[key] for key in case.path_parameters if key in ids})
        case.path_parameters["number"] = card.number
        return
    transition = case.body.get("transition") if isinstance(case.body, dict) else None
    case.path_parameters["number"] = make_card(transition if isinstance(transition, str) else None).number


@schema.parametrize()
# Derandomized: the same examples every run, so CI answers for the code, not for the draw.
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_answers_as_documented(case, fuzz_token, make_card):
    with_real_card(case, make_card)
    case.call_and_validate(
        headers={"Authorization": f"Token {fuzz_token}"},
        # Schema-valid data may still break a rule no schema can express (an ID that does not
        # exist, the data a transition needs): the server rightly answers 400 to it.
        excluded_checks=[checks.positive_data_acceptance],
    )
