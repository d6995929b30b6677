"""Shared fixtures of the answers tests: the complaints' card walker, the deadlines' frozen clock, and a
card ready for its answer: decided, with a responsible person who has direct contacts, a customer with
a postal address, and the company's letterhead."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amends.answers.choices import CompensationKind, GrantStatus
from amends.answers.models import CompensationGrant, CompensationOption, Letterhead
from amends.complaints.choices import Justification, State
from amends.complaints.models import Complaint
from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures
from amends.deadlines.tests.conftest import frozen  # noqa: F401 - shared fixture
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the loopback SMTP server


@pytest.fixture
def letterhead(db):
    return Letterhead.objects.create(
        name="ООО «Сервис Плюс»", registration="ОГРН 1027700132195, ИНН 7701234567",
        address="101000, Москва, ул. Мясницкая, д. 1", phone="+7 495 000-00-00", email="care@example.ru",
    )


@pytest.fixture
def writer(responsible):
    responsible.first_name, responsible.last_name = "Анна", "Петрова"
    responsible.position, responsible.phone = "Руководитель сервиса", "+7 495 000-00-01"
    responsible.email = "anna@example.ru"
    responsible.save()
    return responsible


@pytest.fixture
def decided(complaint, writer, letterhead):
    """Decide the card: `decided(Justification.JUSTIFIED, opinion=...)`."""

    def decide(justification: str = Justification.JUSTIFIED, opinion: str = "Курьер опоздал по нашей вине.",
               state: str = State.DECIDED) -> Complaint:
        complaint.contact.address = "620000, Екатеринбург, ул. Ленина, д. 5, кв. 7"
        complaint.contact.save()
        Complaint.objects.filter(pk=complaint.pk).update(
            state=state, justification=justification, opinion=opinion, responsible=writer,
        )
        return Complaint.objects.get(pk=complaint.pk)

    return decide


@pytest.fixture
def grant(writer):
    def give(card: Complaint, status: str = GrantStatus.APPROVED, value: str = "1500.00") -> CompensationGrant:
        option = CompensationOption.objects.create(kind=CompensationKind.REFUND, name="Возврат стоимости доставки")
        return CompensationGrant.objects.create(
            complaint=card, option=option, value=Decimal(value), method="переводом на карту",
            due_date=timezone.localdate() + timedelta(days=5), status=status, granted_by=writer,
        )

    return give
