"""API test helpers: a client per user with a token, and cards taken along the lifecycle
through the services, as the application builds them."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from amends.complaints.choices import Justification
from amends.complaints.models import Cause
from amends.complaints.services import complaint_transition


@pytest.fixture
def api():
    """api(user) → a client sending that user's token; api() → an anonymous client.
    Messages are asserted in English, the source language."""

    def make(user=None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def cause(db):
    return Cause.objects.filter(is_active=True).order_by("pk").first()


@pytest.fixture
def assigned(complaint, qms, responsible):
    return complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})


@pytest.fixture
def investigating(assigned, responsible):
    return complaint_transition(complaint=assigned, name="investigate", actor=responsible)


@pytest.fixture
def decided_unjustified(investigating, responsible, cause):
    return complaint_transition(
        complaint=investigating, name="decide", actor=responsible,
        data={"justification": Justification.UNJUSTIFIED, "opinion": "Доставка в срок.", "cause": cause},
    )


@pytest.fixture
def decided_justified(investigating, responsible, cause):
    return complaint_transition(
        complaint=investigating, name="decide", actor=responsible,
        data={"justification": Justification.JUSTIFIED, "opinion": "Брак упаковки.", "cause": cause},
    )


@pytest.fixture(autouse=True)
def _no_automatic_duplicate_links(settings):
    """These tests send the same text for one customer repeatedly on purpose."""
    settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS = 0


from amends.capa.tests.conftest import classified, component, product, supplier, supplier_cause  # noqa: E402, F401

from .capa_fixtures import analysed, done_action, owner, record, stranger  # noqa: E402, F401 - the CAPA API's

