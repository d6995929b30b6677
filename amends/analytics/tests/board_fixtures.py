"""Cards with known values for the analysis' tests: counted ones spread over a period, departments,
products, categories, channels and responsible people, and around them what is never counted
(duplicates, withdrawn cards, objections, other requests) and cards of other periods."""

from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from amends.accounts.models import Department, User
from amends.complaints.choices import Channel, RequestType, State
from amends.complaints.models import Category, Complaint, new_tracking_code
from amends.complaints.services import complaint_register
from amends.customers.models import Product

from ..filters import AnalyticsFilter

START, END = date(2026, 3, 1), date(2026, 5, 31)
COUNTED_IN_PERIOD = 26  # 24 spread over the period and one at each of its edges
NOT_COUNTED_IN_PERIOD = 10  # 3 duplicates, 2 withdrawn, 3 objections, 2 other requests
COUNTED_OUTSIDE = 3  # just before the start, just after the end, a year earlier


def local(day: date, at: time = time(12)) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


@dataclass
class Fixture:
    filters: AnalyticsFilter
    departments: list[Department]
    products: list[Product]
    parent: Category
    child: Category
    other: Category
    people: list[User]


@pytest.fixture
def counted_cards(operator, contact, responsible, qms) -> Fixture:
    departments = [Department.objects.create(name="Доставка"), Department.objects.create(name="Склад")]
    products = [Product.objects.create(name="Велосипед"), Product.objects.create(name="Самокат")]
    parent = Category.objects.create(name="Доставка (тест)")
    child = Category.objects.create(name="Опоздание (тест)", parent=parent)
    other = Category.objects.create(name="Качество (тест)")
    people = [responsible, qms]

    # One card through registration; the rest are its copies, inserted at once (registering each is slow).
    first = complaint_register(actor=operator, channel=Channel.PHONE, wording="Проверка", contact=contact)
    Complaint.objects.filter(pk=first.pk).update(
        received_at=local(date(2025, 4, 10)), department_concerned=departments[1], category=child,
    )
    template = Complaint.objects.get(pk=first.pk)
    copies: list[Complaint] = []

    def card(received_at: datetime, **fields) -> None:
        made = copy(template)
        made.pk = None
        made.number, made.tracking_code = f"2099-{len(copies) + 1:06}", new_tracking_code()
        made.received_at = received_at
        for name, value in fields.items():
            setattr(made, name, value)
        copies.append(made)

    for index in range(24):
        card(
            local(date(2026, 3 + index % 3, 2 + (index * 5) % 27)),  # the edges' own cards come below
            channel=[Channel.PHONE, Channel.EMAIL, Channel.WEB_FORM][index % 3],
            department_concerned=departments[index % 2],
            product=[products[0], products[1], products[0], None][index % 4],
            category=[parent, child, other, None][(index // 2) % 4],
            responsible=[responsible, qms, None][(index // 3) % 3],
            request_type=RequestType.CLAIM if index % 5 == 0 else RequestType.COMPLAINT,
            state=[State.REGISTERED, State.INVESTIGATING, State.ANSWERED, State.CLOSED][index % 4],
        )
    card(local(START, time.min), channel=Channel.EMAIL, department_concerned=departments[0], category=None)
    card(local(END, time(23, 30)), channel=Channel.EMAIL, department_concerned=departments[1], category=child)
    for state in (State.DUPLICATE, State.DUPLICATE, State.DUPLICATE, State.WITHDRAWN, State.WITHDRAWN):
        card(local(date(2026, 4, 10)), state=state, department_concerned=departments[0], category=parent)
    for request_type in (RequestType.OBJECTION,) * 3 + (RequestType.OTHER,) * 2:
        card(local(date(2026, 4, 11)), request_type=request_type, department_concerned=departments[0],
             channel=Channel.EMAIL)
    card(local(date(2026, 2, 28), time(23, 59)), department_concerned=departments[0], channel=Channel.EMAIL,
         category=None)
    card(local(date(2026, 6, 1), time.min), department_concerned=departments[0], channel=Channel.EMAIL, category=None)
    Complaint.objects.bulk_create(copies)
    return Fixture(AnalyticsFilter(start=START, end=END), departments, products, parent, child, other, people)
