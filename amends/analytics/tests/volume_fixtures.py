"""Cards with known figures for the intake and cause charts, and the plain SQL the tests check them by.

The period is 10 January to 20 March 2026 (Moscow). Counted cards sit on its edges and on the edges
of months and weeks in the company's time zone (1 February 01:00 in Moscow is still 31 January in
UTC); beside them lie cards the figures must leave out: before and after the period, duplicates,
withdrawn cards, objections and other requests."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.utils import timezone

from amends.accounts.models import Department
from amends.analytics.filters import AnalyticsFilter
from amends.complaints.choices import CauseKind, Channel, RequestType, State
from amends.complaints.models import Category, Cause, Complaint
from amends.customers.models import Contact

ZONE = timezone.get_default_timezone()
PERIOD = AnalyticsFilter(start=date(2026, 1, 10), end=date(2026, 3, 20))
COUNTED_WHERE = "c.request_type IN ('complaint', 'claim') AND c.state NOT IN ('duplicate', 'withdrawn')"


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def period_bounds(filters: AnalyticsFilter = PERIOD) -> tuple[datetime, datetime]:
    """Written apart from AnalyticsFilter.bounds: local midnights of the first day and the day after the last."""
    first, after = filters.start, date.fromordinal(filters.end.toordinal() + 1)
    return local(first.year, first.month, first.day, 0), local(after.year, after.month, after.day, 0)


def sql_rows(query: str, params: list) -> list[tuple]:
    """Moments go in as the database stores them (SQLite: UTC text), else SQLite compares text with offsets."""
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


class Ref:
    """The reference data of the fixture, by short name."""

    def __init__(self) -> None:
        self.delivery = Category.objects.create(name="Т-Доставка", name_en="T-Delivery")
        self.late = Category.objects.create(name="Т-Опоздание", name_en="T-Late", parent=self.delivery)
        self.quality = Category.objects.create(name="Т-Качество", name_en="T-Quality")
        self.defect = Category.objects.create(name="Т-Брак", name_en="T-Defect", parent=self.quality)
        self.logistics = Cause.objects.create(name="Т-Логистика", name_en="T-Logistics", kind=CauseKind.LOGISTICS)
        self.factory = Cause.objects.create(name="Т-Завод", name_en="T-Factory", kind=CauseKind.MANUFACTURER)
        self.parts = Cause.objects.create(name="Т-Детали", name_en="T-Parts", kind=CauseKind.SUPPLIER)
        self.sales = Department.objects.create(name="Т-Продажи", name_en="T-Sales")
        self.service = Department.objects.create(name="Т-Сервис", name_en="T-Service")
        self.anna = Contact.objects.create(full_name="Анна Петрова")
        self.boris = Contact.objects.create(full_name="Борис Сидоров")
        self.vera = Contact.objects.create(full_name="Вера Орлова")
        self.gleb = Contact.objects.create(full_name="Глеб Смирнов")


def _card(number: int, at: datetime, channel: str, **fields) -> Complaint:
    return Complaint.objects.create(
        number=f"1999-{number:06d}", received_at=at, channel=channel, wording=f"Жалоба {number}", **fields,
    )


@pytest.fixture(name="cards")
def cards_fixture(db) -> Ref:
    r = Ref()
    n = iter(range(1, 1000))
    counted = [
        # at, channel, category, cause, contact, department, state
        (local(2026, 1, 10, 0, 10), Channel.PHONE, r.late, r.logistics, r.anna, r.sales, State.REGISTERED),
        (local(2026, 1, 12, 10), Channel.EMAIL, r.delivery, r.logistics, r.anna, r.sales, State.INVESTIGATING),
        (local(2026, 1, 31, 23, 30), Channel.EMAIL, r.quality, r.factory, r.boris, r.service, State.CLOSED),
        (local(2026, 2, 1, 1, 0), Channel.SOCIAL, r.quality, None, r.boris, r.sales, State.ANSWERED),
        (local(2026, 2, 2, 0, 30), Channel.PHONE, None, r.factory, r.anna, r.sales, State.INVESTIGATING),
        (local(2026, 2, 15), Channel.WEB_FORM, r.defect, r.parts, r.vera, r.service, State.ASSIGNED),
        (local(2026, 2, 20), Channel.EMAIL, r.late, r.logistics, r.boris, None, State.CLOSED),
        (local(2026, 3, 1, 0, 30), Channel.EMAIL, r.quality, r.factory, r.anna, r.service, State.DECIDED),
        (local(2026, 3, 10), Channel.EMAIL, r.defect, r.parts, r.vera, r.sales, State.MEASURES_PLANNED),
        (local(2026, 3, 20, 23, 50), Channel.PHONE, r.delivery, r.logistics, r.gleb, r.sales, State.REGISTERED),
    ]
    channels = [Channel.EMAIL, Channel.PHONE, Channel.MESSENGER]
    categories = [r.late, r.defect, r.quality, None]
    causes = [r.logistics, r.factory, r.parts, None]
    states = [State.CLOSED, State.INVESTIGATING, State.ANSWERED, State.IN_PROGRESS, State.RESOLVED]
    for i in range(14):  # spread over the period, every field varied
        counted.append((
            local(2026, 1 + i % 3, 11 + i, 9 + i % 10), channels[i % 3], categories[i % 4], causes[(i + 1) % 4],
            [r.anna, r.gleb, None][i % 3], [r.sales, r.service, None][i % 3], states[i % 5],
        ))
    for at, channel, category, cause, contact, department, state in counted:
        _card(next(n), at, channel, category=category, cause=cause, contact=contact,
              department_concerned=department, state=state, request_type=RequestType.COMPLAINT)
    Complaint.objects.filter(number="1999-000009").update(request_type=RequestType.CLAIM, claim_demand="refund")
    left_out = [
        (local(2026, 1, 9, 23, 50), {"state": State.INVESTIGATING}),  # before the period, still open
        (local(2025, 12, 1), {"state": State.CLOSED}),  # before, closed
        (local(2026, 3, 21, 0, 10), {"state": State.REGISTERED}),  # after the period
        (local(2026, 2, 10), {"state": State.DUPLICATE}),
        (local(2026, 2, 11), {"state": State.WITHDRAWN}),
        (local(2026, 2, 12), {"request_type": RequestType.OBJECTION, "state": State.REGISTERED}),
        (local(2026, 2, 13), {"request_type": RequestType.OTHER, "state": State.CLOSED}),
        (local(2026, 2, 14), {"state": State.DUPLICATE}),
    ]
    for at, fields in left_out:
        _card(next(n), at, Channel.EMAIL, category=r.quality, cause=r.factory, contact=r.anna,
              department_concerned=r.sales, **fields)
    return r
