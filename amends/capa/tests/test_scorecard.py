"""The supplier scorecard and the suppliers list: figures against an independent count, the norm count
as norms.py's, sort and filters, and a fixed number of queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from amends.answers.choices import CompensationKind, GrantStatus
from amends.answers.models import CompensationGrant, CompensationOption
from amends.capa.choices import ActionStatus, NonconformityState, NormSubject, PeriodKind
from amends.capa.models import Action, CapaSettings, Nonconformity, SupplierNorm
from amends.capa.nonconformities import nonconformity_open
from amends.capa.norms import norm_status
from amends.capa.periods import period_of
from amends.capa.scorecard import Standing, final_supplier, supplier_scorecard, suppliers_table
from amends.complaints.choices import Justification, State
from amends.complaints.models import Cause
from amends.customers.models import Component, Supplier

ZONE = timezone.get_default_timezone()


def at(year: int, month: int = 6, day: int = 15) -> datetime:
    return datetime(year, month, day, 12, tzinfo=ZONE)


YEAR = period_of(PeriodKind.YEAR, date(2026, 6, 1))


def sql_figures(supplier_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """The supplier's figures in plain SQL, written apart from the code under test."""
    base = (
        " FROM complaints_complaint c LEFT JOIN customers_component m ON m.id = c.component_id"
        " LEFT JOIN complaints_cause k ON k.id = c.cause_id"
        " WHERE COALESCE(c.supplier_id, m.supplier_id) = %s AND c.state NOT IN ('duplicate', 'withdrawn')"
        " AND c.received_at >= %s AND c.received_at < %s"
    )
    with connection.cursor() as cursor:
        figures = {}
        for name, where in (
            ("complaints", ""),
            ("justified", " AND c.justification IN ('justified', 'partly')"),
            ("judged", " AND c.justification <> ''"),
            ("counted", " AND c.justification IN ('justified', 'partly') AND k.kind = 'supplier'"),
        ):
            cursor.execute("SELECT COUNT(*)" + base + where, [supplier_id, start, end])
            figures[name] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COALESCE(SUM(g.value), 0) FROM answers_compensationgrant g"
            " JOIN complaints_complaint c ON c.id = g.complaint_id"
            " LEFT JOIN customers_component m ON m.id = c.component_id"
            " WHERE COALESCE(c.supplier_id, m.supplier_id) = %s AND g.status = 'approved'"
            " AND COALESCE(g.decided_at, g.granted_at) >= %s AND COALESCE(g.decided_at, g.granted_at) < %s",
            [supplier_id, start, end],
        )
        figures["compensation"] = Decimal(str(cursor.fetchone()[0]))
    return figures


@pytest.fixture
def other_cause(db):
    return Cause.objects.get_or_create(name="Логистика", defaults={"kind": "logistics"})[0]


@pytest.fixture
def option(db):
    return CompensationOption.objects.create(kind=CompensationKind.VOUCHER, name="Сертификат", cost=500)


def grant(card, option, qms, value, status=GrantStatus.APPROVED, decided_at=None):
    made = CompensationGrant.objects.create(
        complaint=card, option=option, value=Decimal(value), method="перевод", due_date=date(2026, 7, 1),
        status=status, granted_by=qms, decided_at=decided_at,
    )
    CompensationGrant.objects.filter(pk=made.pk).update(granted_at=card.received_at + timedelta(days=1))
    return made


@pytest.fixture
def world(classified, supplier, component, supplier_cause, manufacturer_cause, other_cause, option, qms, executor):
    """The supplier's year: every case that counts and every case that must not."""
    other = Supplier.objects.create(name="Пласт", name_en="Plast")
    counted = [classified(cause=supplier_cause, component=component, received_at=at(2026, m)) for m in (2, 3, 4)]
    counted.append(classified(cause=supplier_cause, component=component, received_at=at(2026, 5),
                              justification=Justification.PARTLY))
    classified(cause=supplier_cause, supplier=other, component=component, received_at=at(2026))  # the card's own
    unjustified = classified(cause=supplier_cause, component=component, received_at=at(2026),
                             justification=Justification.UNJUSTIFIED)
    classified(cause=supplier_cause, component=component, received_at=at(2026), justification="")
    classified(cause=other_cause, component=component, received_at=at(2026))  # theirs, not their fault
    classified(cause=manufacturer_cause, component=component, received_at=at(2026))
    duplicate = classified(cause=supplier_cause, component=component, received_at=at(2026), state=State.DUPLICATE)
    classified(cause=supplier_cause, component=component, received_at=at(2026), state=State.WITHDRAWN)
    for year in (2023, 2025, 2025):
        classified(cause=supplier_cause, component=component, received_at=at(year))
    grant(counted[0], option, qms, "1000.00")
    grant(counted[1], option, qms, "250.50", decided_at=at(2026, 8))
    grant(counted[2], option, qms, "9999.00", status=GrantStatus.PENDING)
    grant(unjustified, option, qms, "7777.00", status=GrantStatus.REFUSED, decided_at=at(2026, 8))
    grant(duplicate, option, qms, "100.00")  # given on a duplicate: money given all the same
    record = nonconformity_open(actor=qms, title="Ячейки АКБ", supplier=supplier)
    Action.objects.create(nonconformity=record, description="Входной контроль", owner=executor,
                          due_date=date(2026, 9, 1), check_on=date(2026, 12, 1))
    Action.objects.create(nonconformity=record, description="Аудит поставщика", owner=executor,
                          due_date=date(2026, 9, 1), check_on=date(2026, 12, 1), status=ActionStatus.DONE)
    closed = nonconformity_open(actor=qms, title="Старое", supplier=supplier)
    Nonconformity.objects.filter(pk=closed.pk).update(state=NonconformityState.CLOSED)
    Action.objects.create(nonconformity=closed, description="—", owner=executor,
                          due_date=date(2026, 9, 1), check_on=date(2026, 12, 1))
    return {"other": other, "record": record}


@pytest.mark.django_db
def test_the_scorecard_agrees_with_an_independent_count_and_the_norm_status(world, supplier):
    card = supplier_scorecard(supplier, now=at(2026, 11))
    start, end = YEAR.bounds()
    expected = sql_figures(supplier.pk, start, end)
    row = card.row
    assert (row.complaints, row.justified, row.judged, row.counted) == (
        expected["complaints"], expected["justified"], expected["judged"], expected["counted"],
    ) == (8, 6, 7, 4)
    assert row.compensation == expected["compensation"] == Decimal("1350.50")
    norm_row = next(r for r in norm_status(YEAR) if r.subject == NormSubject.SUPPLIER and r.supplier == supplier)
    assert (row.counted, row.norm) == (norm_row.count, norm_row.norm) == (4, 6)
    assert row.justified_share == round(100 * 6 / 7, 1)
    assert (row.open_nonconformities, row.open_actions, row.standing) == (1, 1, Standing.WITHIN)
    assert [r.number for r in card.nonconformities] == [world["record"].number]
    assert [a.description for a in card.nonconformities[0].actions_shown] == ["Входной контроль", "Аудит поставщика"]


@pytest.mark.django_db
def test_the_scorecard_tallies_components_causes_and_the_history(world, supplier, supplier_cause, other_cause):
    card = supplier_scorecard(supplier, now=at(2026, 11))
    by_cause = {t.label: (t.complaints, t.counted) for t in card.by_cause}
    assert by_cause[str(supplier_cause)] == (6, 4)
    assert by_cause[str(other_cause)] == (1, 0)
    assert [(t.complaints, t.counted) for t in card.by_component] == [(8, 4)]
    assert [(p.period.label, p.count) for p in card.history] == [
        ("2022", 0), ("2023", 1), ("2024", 0), ("2025", 2), ("2026", 4),
    ]
    quarters = supplier_scorecard(supplier, period_kind=PeriodKind.QUARTER, now=at(2026, 5))
    assert len(quarters.history) == 8 and quarters.period.label == "2026 Q2"
    assert [p.count for p in quarters.history][-2:] == [2, 2]  # Feb, Mar | Apr, May
    months = supplier_scorecard(supplier, period_kind=PeriodKind.MONTH, now=at(2026, 5))
    assert len(months.history) == 12 and [p.count for p in months.history][-4:] == [1, 1, 1, 1]


@pytest.mark.django_db
def test_a_card_received_just_before_midnight_counts_in_its_local_period(classified, supplier, component,
                                                                          supplier_cause):
    classified(cause=supplier_cause, component=component, received_at=datetime(2025, 12, 31, 23, 30, tzinfo=ZONE))
    card = supplier_scorecard(supplier, now=at(2026))
    assert [p.count for p in card.history][-2:] == [1, 0]


@pytest.mark.django_db
def test_the_standing_follows_the_suppliers_own_norm(world, supplier):
    SupplierNorm.objects.create(supplier=supplier, norm=4)
    assert supplier_scorecard(supplier, now=at(2026, 11)).row.standing == Standing.AT
    SupplierNorm.objects.filter(supplier=supplier).update(norm=3)
    card = supplier_scorecard(supplier, now=at(2026, 11))
    assert card.row.standing == Standing.OVER and card.history[-1].standing == Standing.OVER


@pytest.mark.django_db
def test_the_list_sorts_filters_and_leaves_out_merged_and_inactive_suppliers(world, supplier):
    other = world["other"]
    quiet = Supplier.objects.create(name="Тихий", name_en="Quiet")
    Supplier.objects.create(name="Старый", is_active=False)
    Supplier.objects.create(name="Слитый", merged_into=supplier, is_active=True)
    SupplierNorm.objects.create(supplier=other, norm=1)
    rows = suppliers_table(period=YEAR)
    assert [r.supplier for r in rows] == [other, supplier, quiet]  # at the norm, within (4/6), within (0)
    assert [r.standing for r in rows] == [Standing.AT, Standing.WITHIN, Standing.WITHIN]
    assert [r.supplier for r in suppliers_table(period=YEAR, sort="complaints")] == [quiet, other, supplier]
    assert [r.supplier for r in suppliers_table(period=YEAR, sort="-compensation")][0] == supplier
    assert [r.supplier for r in suppliers_table(period=YEAR, sort="supplier")] == [supplier, other, quiet]
    assert [r.supplier for r in suppliers_table(period=YEAR, status=Standing.AT)] == [other]
    assert [r.supplier for r in suppliers_table(period=YEAR, status=Standing.OVER)] == []
    assert [r.supplier for r in suppliers_table(period=YEAR, with_open=True)] == [supplier]
    for sort in ("share", "-share", "counted", "status", "nonconformities", "actions", "nonsense"):
        assert len(suppliers_table(period=YEAR, sort=sort)) == 3


@pytest.mark.django_db
def test_the_list_agrees_with_the_scorecard(world, supplier):
    row = next(r for r in suppliers_table(period=YEAR) if r.supplier == supplier)
    single = supplier_scorecard(supplier, now=at(2026, 11)).row
    fields = ("complaints", "justified", "judged", "counted", "norm", "open_nonconformities", "open_actions",
              "compensation")
    assert {f: getattr(row, f) for f in fields} == {f: getattr(single, f) for f in fields}


@pytest.mark.django_db
def test_every_row_of_the_list_agrees_with_an_independent_count_and_the_norm_status(world, supplier):
    """The list counts in one pass grouped by the card's own keys: a card's own supplier wins over its
    component's (the other supplier's one card is on the supplier's component)."""
    start, end = YEAR.bounds()
    norms = {r.supplier.pk: r.count for r in norm_status(YEAR) if r.subject == NormSubject.SUPPLIER and r.supplier}
    rows = suppliers_table(period=YEAR)
    for row in rows:
        expected = sql_figures(row.supplier.pk, start, end)
        assert (row.complaints, row.justified, row.judged, row.counted) == (
            expected["complaints"], expected["justified"], expected["judged"], expected["counted"],
        ), row.supplier
        assert row.counted == norms.get(row.supplier.pk, 0)
    assert {row.supplier: row.complaints for row in rows} == {supplier: 8, world["other"]: 1}


def _suppliers(count: int, component_of, classified, supplier_cause, product) -> None:
    for n in range(count):
        made = Supplier.objects.create(name=f"Поставщик {n}")
        part = Component.objects.create(name=f"Деталь {n}", product=product, supplier=made)
        classified(cause=supplier_cause, component=part, received_at=at(2026))


@pytest.mark.django_db
def test_the_list_and_the_scorecard_take_a_fixed_number_of_queries(
    world, supplier, classified, supplier_cause, product, django_assert_max_num_queries,
):
    CapaSettings.current()
    with django_assert_max_num_queries(7):
        suppliers_table(period=YEAR)
    _suppliers(12, None, classified, supplier_cause, product)
    with django_assert_max_num_queries(7):
        assert len(suppliers_table(period=YEAR)) == 14
    with django_assert_max_num_queries(15):
        supplier_scorecard(supplier, now=at(2026, 11))


@pytest.mark.django_db
def test_a_merged_supplier_leads_to_the_one_it_was_merged_into(supplier):
    middle = Supplier.objects.create(name="B", merged_into=supplier)
    first = Supplier.objects.create(name="A", merged_into=middle)
    assert final_supplier(first) == supplier
    assert final_supplier(supplier) == supplier
