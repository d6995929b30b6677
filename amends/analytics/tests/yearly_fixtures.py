"""The yearly statement tests' cards: two years of known complaints, with what is never counted (duplicates,
withdrawn cards, objections), a year earlier, cards of several departments and a card on each side of
New Year's midnight in the company's time zone."""

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from amends.accounts.models import Department
from amends.complaints.choices import CauseKind, Channel, Justification, Loyalty, RequestType, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register
from amends.customers.models import Component, Product, Supplier

YEAR = 2025


def local(year: int, month: int = 6, day: int = 15, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


def year_bounds(year: int) -> list:
    """The year's bounds as the database stores moments, for the independent SQL."""
    return [connection.ops.adapt_datetimefield_value(local(year, 1, 1, 0)),
            connection.ops.adapt_datetimefield_value(local(year + 1, 1, 1, 0))]


COUNTED = ("request_type IN ('complaint', 'claim') AND state NOT IN ('duplicate', 'withdrawn')"
           " AND received_at >= %s AND received_at < %s")


def sql_grouped(column: str, year: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}, COUNT(*) FROM complaints_complaint WHERE {COUNTED} GROUP BY {column}",
                       year_bounds(year))
        return dict(cursor.fetchall())


def sql_satisfaction(year: int) -> tuple[int, int]:
    """(sum, how many rated) of the year's counted cards."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM(satisfaction), COUNT(satisfaction) FROM complaints_complaint WHERE {COUNTED}",
                       year_bounds(year))
        total, rated = cursor.fetchone()
        return total or 0, rated


@pytest.fixture
def card(operator, contact):
    """card(received_at, **fields): a registered card set as given."""

    def make(received_at: datetime, **fields) -> Complaint:
        made = complaint_register(actor=operator, channel=Channel.PHONE, wording="Аккумулятор не держит заряд",
                                  contact=contact)
        Complaint.objects.filter(pk=made.pk).update(received_at=received_at, **fields)
        return Complaint.objects.get(pk=made.pk)

    return make


@pytest.fixture
def two_years(card):
    """Known cards of YEAR and the year before; returns the references they use."""
    supplier = Supplier.objects.create(name="АКБ-Снаб", name_en="AKB-Snab")
    product = Product.objects.create(name="Электровелосипед E1", name_en="E-bike E1")
    component = Component.objects.create(name="Аккумулятор", name_en="Battery", product=product, supplier=supplier)
    supplier_cause = Cause.objects.create(name="Брак комплектующих", name_en="Faulty components",
                                          kind=CauseKind.SUPPLIER)
    maker_cause = Cause.objects.create(name="Производственный брак", name_en="Manufacturing defect",
                                       kind=CauseKind.MANUFACTURER)
    late = Cause.objects.create(name="Опоздание доставки", name_en="Late delivery", kind=CauseKind.LOGISTICS)
    sales, service = Department.objects.create(name="Продажи"), Department.objects.create(name="Сервис")
    J, L = Justification, Loyalty
    # YEAR: 7 supplier-caused justified (norm 6 exceeded), 3 manufacturer's, 4 logistics, 2 undecided.
    for index in range(7):
        card(local(YEAR, 1 + index), channel=Channel.EMAIL, justification=J.JUSTIFIED, cause=supplier_cause,
             component=component, loyalty=L.RECOMMENDS if index < 4 else L.LEAVES, satisfaction=8 + index % 3,
             department_concerned=sales)
    for index in range(3):
        card(local(YEAR, 3 + index), channel=Channel.PHONE, justification=J.PARTLY, cause=maker_cause,
             loyalty=L.STAYS, satisfaction=5, department_concerned=service)
    for index in range(4):
        card(local(YEAR, 8), channel=Channel.WEB_FORM, justification=J.UNJUSTIFIED, cause=late,
             loyalty="" if index else L.RECOMMENDS, request_type=RequestType.CLAIM)
    card(local(YEAR, 1, 1, 0, 30), channel=Channel.PHONE, state=State.REGISTERED)  # just after New Year: this year
    card(local(YEAR, 12, 31, 23, 30), channel=Channel.SOCIAL)  # just before New Year: this year too
    # Never counted in YEAR.
    card(local(YEAR), justification=J.JUSTIFIED, cause=supplier_cause, component=component, state=State.DUPLICATE)
    card(local(YEAR), justification=J.JUSTIFIED, cause=maker_cause, state=State.WITHDRAWN)
    card(local(YEAR), justification=J.JUSTIFIED, cause=late, request_type=RequestType.OBJECTION,
         satisfaction=1)
    # The year before: fewer, and a year before that (counted in neither).
    for index in range(5):
        card(local(YEAR - 1, 2 + index), channel=Channel.EMAIL, justification=J.JUSTIFIED, cause=supplier_cause,
             component=component, loyalty=L.LEAVES, satisfaction=4)
    card(local(YEAR - 1, 12, 31, 23, 59), channel=Channel.PHONE, justification=J.UNJUSTIFIED, cause=late,
         loyalty=L.STAYS, satisfaction=9)
    card(local(YEAR - 2), channel=Channel.EMAIL, justification=J.JUSTIFIED, cause=maker_cause, satisfaction=10)
    return {"supplier": supplier, "supplier_cause": supplier_cause, "maker_cause": maker_cause, "late": late}
