"""The norm counts against independent SQL, and what never counts (duplicates, withdrawn cards,
objections and other requests)."""

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from amends.capa.choices import NormSubject, PeriodKind
from amends.capa.models import CapaSettings, SupplierNorm
from amends.capa.norms import norm_status
from amends.capa.periods import period_of
from amends.complaints.choices import Justification, RequestType, State
from amends.customers.models import Supplier


def at(year: int, month: int = 6) -> datetime:
    return datetime(year, month, 15, 12, tzinfo=timezone.get_default_timezone())


def sql_supplier_counts(start: str, end: str) -> dict[int | None, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(c.supplier_id, m.supplier_id), COUNT(*) FROM complaints_complaint c"
            " JOIN complaints_cause k ON k.id = c.cause_id"
            " LEFT JOIN customers_component m ON m.id = c.component_id"
            " WHERE k.kind = 'supplier' AND c.justification IN ('justified', 'partly')"
            " AND c.request_type IN ('complaint', 'claim')"
            " AND c.state NOT IN ('duplicate', 'withdrawn') AND c.received_at >= %s AND c.received_at < %s"
            " GROUP BY 1",
            [start, end],
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_counts_match_independent_sql_and_leave_out_what_never_counts(
    classified, supplier, component, supplier_cause, manufacturer_cause,
):
    other = Supplier.objects.create(name="Пласт")
    for _ in range(3):
        classified(cause=supplier_cause, component=component, received_at=at(2026))
    classified(cause=supplier_cause, supplier=other, component=component, received_at=at(2026))  # own supplier wins
    classified(cause=supplier_cause, component=component, received_at=at(2026), justification=Justification.PARTLY)
    classified(cause=supplier_cause, component=component, received_at=at(2026), state=State.DUPLICATE)
    classified(cause=supplier_cause, component=component, received_at=at(2026), state=State.WITHDRAWN)
    classified(cause=supplier_cause, component=component, received_at=at(2026),
               justification=Justification.UNJUSTIFIED)
    classified(cause=supplier_cause, component=component, received_at=at(2025))
    classified(cause=supplier_cause, component=component, received_at=at(2026), request_type=RequestType.CLAIM)
    # Registered and answered, but no complaint (DOMAIN.md "Words"): never in a norm.
    classified(cause=supplier_cause, component=component, received_at=at(2026), request_type=RequestType.OBJECTION)
    classified(cause=supplier_cause, component=component, received_at=at(2026), request_type=RequestType.OTHER)
    classified(cause=manufacturer_cause, received_at=at(2026), request_type=RequestType.OBJECTION)
    for _ in range(5):
        classified(cause=manufacturer_cause, received_at=at(2026))
    period = period_of(PeriodKind.YEAR, at(2026).date())
    rows = {(row.subject, row.supplier.pk if row.supplier else None): row for row in norm_status(period)}
    start, end = (value.isoformat() for value in period.bounds())
    expected = sql_supplier_counts(start, end)
    assert expected == {supplier.pk: 5, other.pk: 1}
    assert {key[1]: row.count for key, row in rows.items() if key[0] == NormSubject.SUPPLIER} == expected
    assert rows[(NormSubject.ALL_SUPPLIERS, None)].count == 6
    assert rows[(NormSubject.MANUFACTURER, None)].count == 5 and rows[(NormSubject.MANUFACTURER, None)].exceeded
    assert not rows[(NormSubject.SUPPLIER, supplier.pk)].exceeded  # 5 <= 6


@pytest.mark.django_db
def test_a_supplier_norm_of_its_own_replaces_the_default(classified, supplier, component, supplier_cause):
    SupplierNorm.objects.create(supplier=supplier, norm=1)
    CapaSettings.objects.update_or_create(pk=1, defaults={"supplier_norm": 10})
    classified(cause=supplier_cause, component=component, received_at=at(2026))
    classified(cause=supplier_cause, component=component, received_at=at(2026))
    row = next(r for r in norm_status(period_of(PeriodKind.YEAR, at(2026).date())) if r.supplier == supplier)
    assert (row.count, row.norm, row.exceeded) == (2, 1, True)
