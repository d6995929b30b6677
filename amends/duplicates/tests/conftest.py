"""Helpers for the duplicate tests: cards registered through the services (which run the check)."""

import copy
from datetime import timedelta

import pytest
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint, new_tracking_code
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.duplicates.models import DuplicateCandidate, SignatureBand, TextSignature


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def copies(source: Complaint, count: int) -> list[Complaint]:
    """Valid cards in bulk: copies of a registered one under new numbers."""
    start = Complaint.objects.aggregate(last=Max("pk"))["last"]
    cards = []
    for i in range(count):
        card = copy.copy(source)
        card.pk = card.id = None
        card._state = copy.copy(source._state)
        card._state.adding = True
        card.number = f"T-{start + i + 1:07d}"
        card.tracking_code = new_tracking_code()
        cards.append(card)
    return Complaint.objects.bulk_create(cards)


@pytest.fixture
def other_contact(db):
    return contact_create(full_name="Smith John", phone="+44 20 7946 0000", email="john@example.com")


@pytest.fixture
def register(operator):
    """Register a card through the service; `check=False` makes a card from before duplicate
    detection: never checked, never linked, no signature."""

    def register(wording: str, *, check: bool = True, **kwargs):
        kwargs.setdefault("actor", operator)
        kwargs.setdefault("channel", Channel.EMAIL)
        if check:
            return complaint_register(wording=wording, **kwargs)
        with override_settings(AMENDS_DUPLICATE_AUTO_LINK_HOURS=0):
            complaint = complaint_register(wording=wording, **kwargs)
        SignatureBand.objects.filter(complaint=complaint).delete()
        TextSignature.objects.filter(complaint=complaint).delete()
        DuplicateCandidate.objects.filter(complaint=complaint).delete()
        return complaint

    return register
