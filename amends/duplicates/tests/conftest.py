"""Helpers for the duplicate tests: cards registered through the services, then checked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.duplicates.services import duplicates_check


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def other_contact(db):
    return contact_create(full_name="Smith John", phone="+44 20 7946 0000", email="john@example.com")


@pytest.fixture
def register(operator):
    """Register a card through the service, then run the duplicate check as registration does."""

    def register(wording: str, *, check: bool = True, **kwargs):
        kwargs.setdefault("actor", operator)
        kwargs.setdefault("channel", Channel.EMAIL)
        complaint = complaint_register(wording=wording, **kwargs)
        if check:
            duplicates_check(complaint=complaint)
        return complaint

    return register
