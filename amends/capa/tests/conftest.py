"""Shared fixtures of the CAPA tests: cards classified by cause, product, component and supplier."""

from datetime import datetime

import pytest
from django.utils import timezone

from amends.complaints.choices import CauseKind, Channel, Justification, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register
from amends.customers.models import Component, Product, Supplier


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="АКБ-Снаб", name_en="AKB-Snab")


@pytest.fixture
def product(db):
    return Product.objects.create(name="Электровелосипед E1", name_en="E-bike E1")


@pytest.fixture
def component(product, supplier):
    return Component.objects.create(name="Аккумулятор", name_en="Battery", product=product, supplier=supplier)


@pytest.fixture
def supplier_cause(db):
    return Cause.objects.get_or_create(name="Брак комплектующих", defaults={"kind": CauseKind.SUPPLIER})[0]


@pytest.fixture
def manufacturer_cause(db):
    return Cause.objects.get_or_create(name="Производственный брак", defaults={"kind": CauseKind.MANUFACTURER})[0]


@pytest.fixture
def classified(operator, contact):
    """A registered card set as given: `classified(state=..., justification=..., cause=..., received_at=...)`."""

    def make(*, state: str = State.INVESTIGATING, justification: str = Justification.JUSTIFIED,
             received_at: datetime | None = None, **fields) -> Complaint:
        card = complaint_register(
            actor=operator, channel=Channel.PHONE, wording="Аккумулятор не держит заряд", contact=contact,
        )
        Complaint.objects.filter(pk=card.pk).update(
            state=state, justification=justification, received_at=received_at or timezone.now(), **fields,
        )
        return Complaint.objects.get(pk=card.pk)

    return make


from amends.complaints.tests.conftest import register  # noqa: E402, F401 - shared fixture

from .deadline_fixtures import english, frozen, record_opened  # noqa: E402, F401 - the clocks' fixtures
