"""Supplier and manufacturer norms (DOMAIN.md §7): per period, the justified and partly justified
complaints by the manufacturer's fault, by all suppliers' components together and by each supplier's,
against the norms of CapaSettings and SupplierNorm. A card's supplier is its own, else its component's.
Only complaints and claims count, never duplicates, withdrawn cards, objections or other requests
(selectors.counted_complaints)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse

from amends.complaints.choices import CauseKind, Justification
from amends.complaints.models import Cause, Complaint
from amends.core.links import absolute_url
from amends.customers.models import Component, Supplier
from amends.notifications.card import qms_heads
from amends.notifications.services import NotificationSpec, notify_many

from .choices import NormSubject, ProposalKind
from .models import CapaSettings, NormBreach, SupplierNorm
from .periods import Period, current_period
from .proposals import proposal_link, proposal_raise
from .selectors import counted_complaints

COUNTED_JUSTIFICATIONS = (Justification.JUSTIFIED, Justification.PARTLY)
# What the counts count: a column of the norms' indexes, never null, so that PostgreSQL reads the index
# alone (counting the key, which is no column of them, makes it read every card's row).
INDEXED = "received_at"
NOTICE_CARDS = 20  # card numbers listed in a notice; the norms page lists them all


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
    def subject_label(self) -> str:
        return str(NormSubject(self.subject).label)

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
    """(manufacturer's fault, {supplier id or None: suppliers' components}) in one query grouped by the
    card's own keys, with no join per card (the database reads the norms' index alone); the causes'
    kinds and the components' suppliers are looked up for the few grouped rows."""
    kinds = dict(Cause.objects.filter(kind__in=(CauseKind.MANUFACTURER, CauseKind.SUPPLIER)).values_list("pk", "kind"))
    start, end = period.bounds()
    rows = list(counted_complaints().filter(
        received_at__gte=start, received_at__lt=end, justification__in=COUNTED_JUSTIFICATIONS, cause__in=list(kinds),
    ).values("cause", "supplier", "component").annotate(n=Count(INDEXED)).order_by())
    makers = component_suppliers(row["component"] for row in rows if row["supplier"] is None)
    manufacturer, by_supplier = 0, dict[int | None, int]()
    for row in rows:
        if kinds[row["cause"]] == CauseKind.MANUFACTURER:
            manufacturer += row["n"]
        else:
            key = row["supplier"] if row["supplier"] is not None else makers.get(row["component"])
            by_supplier[key] = by_supplier.get(key, 0) + row["n"]
    return manufacturer, by_supplier


def component_suppliers(ids: Iterable[int | None]) -> dict[int, int | None]:
    """{component id: its supplier id} of these components."""
    return dict(Component.objects.filter(pk__in={pk for pk in ids if pk is not None}).values_list("pk", "supplier"))


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


def card_supplier(prefix: str = "") -> Coalesce:
    """The supplier a card is counted for: its own, else its component's (counts)."""
    return Coalesce(f"{prefix}supplier", f"{prefix}component__supplier")


def _component_ids(supplier: Supplier) -> list[int]:
    """The supplier's components, read once per instance and given to the database as numbers: behind a
    subquery PostgreSQL cannot tell how few they are and reads every supplier-caused card instead of
    combining the two keys' indexes (bench/capa.py: the scorecard's five years, 700 ms to 35 ms)."""
    ids = getattr(supplier, "_capa_component_ids", None)
    if ids is None:
        ids = list(Component.objects.filter(supplier=supplier).values_list("pk", flat=True))
        supplier._capa_component_ids = ids  # type: ignore[attr-defined]
    return ids


def of_supplier(supplier: Supplier, prefix: str = "") -> Q:
    """`card_supplier` equal to the supplier, written so that the database reads the supplier's cards by
    the indexes of the card's two keys (a join to the component would read every card of the period)."""
    either = Q(**{f"{prefix}supplier": supplier}) | Q(**{f"{prefix}component__in": _component_ids(supplier)})
    # The exact rule, which no index serves, narrows what the two indexes found.
    return either & Q(Exact(card_supplier(prefix), supplier.pk))


def row_complaints(period: Period, subject: str, supplier_id: int | None = None) -> QuerySet[Complaint]:
    """The cards a row counts: the manufacturer's, every supplier's, or one supplier's."""
    cards = counted_in(period)
    if subject == NormSubject.MANUFACTURER:
        return cards.filter(cause__kind=CauseKind.MANUFACTURER)
    cards = cards.filter(cause__kind=CauseKind.SUPPLIER)
    if subject == NormSubject.SUPPLIER:
        cards = cards.filter(of_supplier(Supplier(pk=supplier_id)))
    return cards


def breach_key(subject: str, supplier_id: int | None, period: Period) -> str:
    return f"norm:{subject}:{supplier_id if supplier_id is not None else '-'}:{period.key}"


def flagged_suppliers(period: Period) -> set[int]:
    """Suppliers over their norm in the period: a breach recorded by norm_check, or over it now."""
    recorded = NormBreach.objects.filter(
        subject=NormSubject.SUPPLIER, period_kind=period.kind, period_start=period.start, supplier__isnull=False,
    ).values_list("supplier_id", flat=True)
    over = {row.supplier.pk for row in norm_status(period) if row.supplier is not None and row.exceeded}
    return over | {pk for pk in recorded if pk is not None}


def norm_check(now: datetime | None = None) -> list[NormBreach]:
    """Record every row over its norm in the current period of CapaSettings.norm_period, and in the
    one before (a card is often classified after its period ended): once per row and period (the
    breach's unique key), each with its notice to the QMS heads and its proposed nonconformity, in
    one transaction, so that two workers running it at once make one of each. Returns the new breaches."""
    current = current_period(CapaSettings.current().norm_period, now)
    made = []
    for period in (current.previous(), current):
        rows = [row for row in norm_status(period) if row.exceeded]
        keys = {breach_key(row.subject, row.supplier.pk if row.supplier else None, period): row for row in rows}
        known = set(NormBreach.objects.filter(key__in=keys).values_list("key", flat=True))
        for key, row in keys.items():
            if key not in known and (breach := _breach_record(key, row, period)) is not None:
                made.append(breach)
    return made


def _breach_record(key: str, row: NormRow, period: Period) -> NormBreach | None:
    # The row's cards are read before the write transaction: at a million cards their query takes
    # seconds, and SQLite's write lock held through it failed the web requests waiting for it.
    cards = list(row_complaints(period, row.subject, row.supplier.pk if row.supplier else None).only("pk", "number"))
    with transaction.atomic():
        return _breach_write(key, row, period, cards)


def _breach_write(key: str, row: NormRow, period: Period, cards: list[Complaint]) -> NormBreach | None:
    breach, created = NormBreach.objects.get_or_create(key=key, defaults={
        "subject": row.subject, "supplier": row.supplier, "period_kind": period.kind,
        "period_start": period.start, "count": row.count, "norm": row.norm,
    })
    if not created:  # another worker recorded it a moment ago, with its notice and proposal
        return None
    params = {
        "subject": row.subject, "supplier": row.supplier.name if row.supplier else "", "count": row.count,
        "norm": row.norm, "period_kind": period.kind, "period_start": period.start.isoformat(),
    }
    # One notice per breach says both: the norm exceeded and the proposal waiting for a decision.
    proposal = proposal_raise(
        kind=ProposalKind.NORM, key=key, params=params, complaints=cards, supplier=row.supplier, notify=False,
    )
    numbers = [card.number for card in cards]
    url = absolute_url(f"{reverse('capa:norms')}?{urlencode({'kind': period.kind, 'day': period.start.isoformat()})}")
    context = {
        **params, "cards": numbers[:NOTICE_CARDS], "more": max(0, len(numbers) - NOTICE_CARDS), "url": url,
        "proposal_url": proposal_link(proposal) if proposal else absolute_url(reverse("capa:proposals")),
    }
    notify_many([
        NotificationSpec(
            user_id=head.pk, kind="norm_exceeded", key=key, complaint_id=None,
            template="capa/notifications/norm_exceeded.txt", context=context, cards=numbers,
        )
        for head in qms_heads()
    ])
    return breach
