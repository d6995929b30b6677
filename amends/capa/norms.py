"""Supplier and manufacturer norms (DOMAIN.md §7): per period, the justified and partly justified
complaints by the manufacturer's fault, by all suppliers' components together and by each supplier's,
against the norms of CapaSettings and SupplierNorm. A card's supplier is its own, else its component's.
Duplicates and withdrawn cards never count (selectors.counted_complaints)."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce

from amends.complaints.choices import CauseKind, Justification
from amends.complaints.models import Complaint
from amends.customers.models import Supplier

from .choices import NormSubject
from .models import CapaSettings, SupplierNorm
from .periods import Period
from .selectors import counted_complaints

COUNTED_JUSTIFICATIONS = (Justification.JUSTIFIED, Justification.PARTLY)


@dataclass(frozen=True)
class NormRow:
    subject: str
    count: int
    norm: int
    supplier: Supplier | None = None

    @property
    def exceeded(self) -> bool:
        return self.count > self.norm

    @property
    def reached(self) -> bool:
        """At the norm: one more justified complaint breaks it."""
        return self.count == self.norm


def counted_in(period: Period) -> QuerySet[Complaint]:
    start, end = period.bounds()
    return counted_complaints().filter(
        received_at__gte=start, received_at__lt=end, justification__in=COUNTED_JUSTIFICATIONS,
        cause__kind__in=(CauseKind.MANUFACTURER, CauseKind.SUPPLIER),
    )


def counts(period: Period) -> tuple[int, dict[int | None, int]]:
    """(manufacturer's fault, {supplier id or None: suppliers' components}) in one grouped query."""
    rows = counted_in(period).values("cause__kind", supplier_key=Coalesce("supplier", "component__supplier")).annotate(
        n=Count("pk"),
    )
    manufacturer, by_supplier = 0, dict[int | None, int]()
    for row in rows:
        if row["cause__kind"] == CauseKind.MANUFACTURER:
            manufacturer += row["n"]
        else:
            by_supplier[row["supplier_key"]] = by_supplier.get(row["supplier_key"], 0) + row["n"]
    return manufacturer, by_supplier


def norm_status(period: Period) -> list[NormRow]:
    """The manufacturer's row, the all-suppliers row, then every supplier with a complaint counted in
    the period, the most complaints first."""
    settings = CapaSettings.current()
    manufacturer, by_supplier = counts(period)
    rows = [
        NormRow(NormSubject.MANUFACTURER, manufacturer, settings.manufacturer_norm),
        NormRow(NormSubject.ALL_SUPPLIERS, sum(by_supplier.values()), settings.all_suppliers_norm),
    ]
    ids = [pk for pk in by_supplier if pk is not None]
    own = dict(SupplierNorm.objects.filter(supplier__in=ids).values_list("supplier_id", "norm"))
    suppliers = Supplier.objects.in_bulk(ids)
    rows += sorted(
        (
            NormRow(NormSubject.SUPPLIER, by_supplier[pk], own.get(pk, settings.supplier_norm), suppliers[pk])
            for pk in ids
        ),
        key=lambda row: (-row.count, row.supplier.name if row.supplier else ""),
    )
    return rows
