"""Merging a supplier: its history follows, nothing is counted twice (against independent SQL),
bad input is refused with a message, the audit chain and the records tell."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from amends.audit.models import AuditEntry
from amends.capa.choices import NormSubject, PeriodKind
from amends.capa.models import NormBreach, Proposal, SupplierNorm
from amends.capa.nonconformities import nonconformity_open
from amends.capa.norms import norm_check, norm_status
from amends.capa.periods import period_of
from amends.capa.suppliers import supplier_merge
from amends.complaints.models import Complaint
from amends.core.errors import AccessDenied
from amends.customers.models import Component, Supplier

ZONE = timezone.get_default_timezone()
NOW = datetime(2026, 6, 20, 12, tzinfo=ZONE)
YEAR = period_of(PeriodKind.YEAR, NOW.date())


def at(month: int) -> datetime:
    return datetime(2026, month, 10, 12, tzinfo=ZONE)


def sql_counts() -> dict[int | None, int]:
    """Per supplier: counted supplier-fault cards of 2026, the card's own supplier else its component's."""
    start, end = (value.isoformat() for value in YEAR.bounds())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(c.supplier_id, m.supplier_id), COUNT(*) FROM complaints_complaint c"
            " JOIN complaints_cause k ON k.id = c.cause_id LEFT JOIN customers_component m ON m.id = c.component_id"
            " WHERE k.kind = 'supplier' AND c.justification IN ('justified', 'partly')"
            " AND c.state NOT IN ('duplicate', 'withdrawn') AND c.received_at >= %s AND c.received_at < %s"
            " GROUP BY 1", [start, end],
        )
        return dict(cursor.fetchall())


def supplier_rows() -> dict[int, int]:
    rows = norm_status(YEAR)
    return {row.supplier.pk: row.count for row in rows if row.subject == NormSubject.SUPPLIER and row.supplier}


@pytest.fixture
def twin(db):
    """The same supplier entered a second time, with a component of its own."""
    supplier = Supplier.objects.create(name="АКБ Снаб (дубль)")
    return supplier, Component.objects.create(name="Аккумулятор 2", supplier=supplier)


def test_history_follows_and_nothing_is_counted_twice(classified, qms, supplier, component, supplier_cause, twin):
    source, source_part = twin
    for _ in range(3):
        classified(cause=supplier_cause, component=component, received_at=at(2))
    for _ in range(2):
        classified(cause=supplier_cause, component=source_part, received_at=at(3))
    own = classified(cause=supplier_cause, supplier=source, received_at=at(4))
    # Named twice (its own supplier and its component's): one card, counted once.
    classified(cause=supplier_cause, supplier=source, component=source_part, received_at=at(4))
    classified(cause=supplier_cause, supplier=source, component=component, received_at=at(5))
    before_total = sum(sql_counts().values())
    assert sql_counts() == {supplier.pk: 3, source.pk: 5}

    moved = supplier_merge(actor=qms, source=source, target=supplier)

    assert sql_counts() == {supplier.pk: 8} == supplier_rows()
    assert sum(sql_counts().values()) == before_total
    assert moved["complaints"] == 3 and moved["components"] == 1
    source.refresh_from_db()
    assert source.merged_into == supplier and not source.is_active
    assert Component.objects.get(pk=source_part.pk).supplier == supplier
    # An edit form opened before the merge holds the old version: it cannot put the old supplier back.
    assert Complaint.objects.get(pk=own.pk).version == own.version + 1
    entry = AuditEntry.objects.filter(object_type="customers.supplier", object_pk=str(source.pk)).get()
    assert entry.actor_pk == qms.pk and entry.changes["merged_into"] == [None, supplier.pk]
    assert entry.changes["moved"]["complaints"] == 3


def test_records_proposals_breaches_and_the_own_norm_follow_without_a_second_flag(
    classified, qms, supplier, component, supplier_cause, twin,
):
    source, source_part = twin
    SupplierNorm.objects.create(supplier=source, norm=1)
    for _ in range(2):
        classified(cause=supplier_cause, component=source_part, received_at=at(3))
    [breach] = [b for b in norm_check(NOW) if b.subject == NormSubject.SUPPLIER]
    record = nonconformity_open(actor=qms, title="Аккумуляторы", supplier=source)

    supplier_merge(actor=qms, source=source, target=supplier)

    breach.refresh_from_db()
    assert breach.supplier == supplier and breach.key == f"norm:supplier:{supplier.pk}:{YEAR.key}"
    assert Proposal.objects.get().supplier == supplier
    assert SupplierNorm.objects.get().supplier == supplier  # the target had none: the source's moves
    record.refresh_from_db()
    assert record.supplier == supplier
    with translation.override("en"):
        assert record.events.last().text_display == (
            "Supplier АКБ Снаб (дубль) merged into АКБ-Снаб: the record now concerns АКБ-Снаб."
        )
    # The target is over the norm it took over, in a period it is flagged for already: no second proposal.
    assert [b for b in norm_check(NOW) if b.subject == NormSubject.SUPPLIER] == []
    assert NormBreach.objects.filter(subject=NormSubject.SUPPLIER).count() == 1 and Proposal.objects.count() == 1


def test_the_target_keeps_its_own_norm_and_flag(classified, qms, supplier, component, supplier_cause, twin):
    source, source_part = twin
    SupplierNorm.objects.create(supplier=source, norm=1)
    SupplierNorm.objects.create(supplier=supplier, norm=1)
    for part in (component, component, source_part, source_part):
        classified(cause=supplier_cause, component=part, received_at=at(3))
    assert len([b for b in norm_check(NOW) if b.subject == NormSubject.SUPPLIER]) == 2

    supplier_merge(actor=qms, source=source, target=supplier)

    assert list(SupplierNorm.objects.values_list("supplier", "norm")) == [(supplier.pk, 1)]
    assert list(NormBreach.objects.filter(subject=NormSubject.SUPPLIER).values_list("supplier", flat=True)) == [
        supplier.pk,
    ]


def test_suppliers_merged_into_the_source_follow_it(qms, supplier, twin):
    source, _part = twin
    older = Supplier.objects.create(name="АКБ-Снаб старый")
    supplier_merge(actor=qms, source=older, target=source)
    supplier_merge(actor=qms, source=source, target=supplier)
    older.refresh_from_db()
    assert older.merged_into == supplier  # no chain: every merged supplier points at one that is not


@pytest.mark.parametrize("case", ["itself", "into_merged", "merged_again", "cycle"])
def test_bad_merges_are_refused_with_a_message_and_nothing_moves(
    classified, qms, supplier, component, supplier_cause, twin, case,
):
    source, source_part = twin
    classified(cause=supplier_cause, component=source_part, received_at=at(3))
    third = Supplier.objects.create(name="Третий")
    if case == "itself":
        pair, message = (source, source), "cannot be merged into itself"
    elif case == "into_merged":
        supplier_merge(actor=qms, source=third, target=supplier)
        pair, message = (source, third), "was merged into another supplier: merge into that one"
    elif case == "merged_again":
        supplier_merge(actor=qms, source=third, target=supplier)
        pair, message = (third, source), "was merged into another supplier already"
    else:  # source into target, then target back into source
        supplier_merge(actor=qms, source=third, target=source)
        pair, message = (source, third), "merge into that one"
    counts = sql_counts()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        supplier_merge(actor=qms, source=pair[0], target=pair[1])
    assert message in " ".join(refused.value.messages)
    assert sql_counts() == counts
    assert Supplier.objects.get(pk=pair[0].pk).merged_into_id == (supplier.pk if case == "merged_again" else None)


def test_only_the_qms_head_or_an_administrator_merges(responsible, supplier, twin):
    source, _part = twin
    with pytest.raises(AccessDenied):
        supplier_merge(actor=responsible, source=source, target=supplier)
    assert Supplier.objects.get(pk=source.pk).merged_into is None
