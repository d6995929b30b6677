"""Helpers for the answers tests: cards walked through the services, a letter on them, a real SMTP
server on 127.0.0.1 and the fake messenger platform the intake tests use."""

import pytest

from amends.answers.choices import Outcome
from amends.answers.models import Letter
from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures
from amends.deadlines.tests.conftest import _english, _no_automatic_duplicate_links  # noqa: F401 - autouse
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the loopback SMTP server
from amends.intake.tests.test_webhooks_support import FakePlatform


@pytest.fixture
def fake_platform(monkeypatch):
    yield from FakePlatform().serve(monkeypatch)


@pytest.fixture
def make_letter(responsible):
    def make(complaint, outcome=Outcome.REFUSED, **fields) -> Letter:
        fields.setdefault("subject", "Your complaint")
        fields.setdefault("body", "Thank you for writing to us. We checked the delivery: it was on time.")
        return Letter.objects.create(
            complaint=complaint, outcome=outcome, language="en", created_by=responsible, signed_by=responsible,
            **fields,
        )

    return make
