"""Supplier scorecards (issue 15, item 6): per supplier and period, the complaints on its account, the
justified share, its norm status now and over time, its open nonconformities and actions, and the
compensation given on its cards. The norm count is norms.py's (`counted_in`, `counts`; `_card_figures`
counts the same in the pass the list makes anyway), so the scorecard, the suppliers list and the norms
page show the same figure; a card's supplier is its own, else its component's, as there."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.answers.compensation import given_between
from amends.answers.models import CompensationGrant
from amends.complaints.choices import CauseKind
from amends.complaints.models import Cause, Complaint
from amends.customers.models import Component, Supplier

from .choices import ActionStatus, NonconformityState, NormSubject, PeriodKind
from .models import Action, CapaSettings, Nonconformity
from .norms import COUNTED_JUSTIFICATIONS, INDEXED, NormRow, card_supplier, component_suppliers, counted_in, of_supplier
from .periods import Period, current_period, period_of
from .selectors import counted_complaints

# How far back the chart looks, per kind of period (the current one included).
HISTORY: dict[str, int] = {PeriodKind.YEAR: 5, PeriodKind.QUARTER: 8, PeriodKind.MONTH: 12}
OPEN_ACTION = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class Standing:
    """Where a supplier stands against its norm in a period (the list's status filter)."""

    OVER, AT, WITHIN = "over", "at", "within"
    CHOICES = ((OVER, _("Over the norm")), (AT, _("At the norm")), (WITHIN, _("Within the norm")))
    LABELS = dict(CHOICES)


def standing(row: NormRow) -> str:
    return Standing.OVER if row.exceeded else Standing.AT if row.reached else Standing.WITHIN


@dataclass
class SupplierRow:
    supplier: Supplier
    norm_row: NormRow  # the norm count: justified and partly, by the supplier's components
    complaints: int = 0  # every counted complaint on its account, whatever the cause
    justified: int = 0  # justified or partly justified
    judged: int = 0  # with a justification
    open_nonconformities: int = 0
    open_actions: int = 0
    compensation: Decimal = Decimal(0)

    @property
    def counted(self) -> int:
        return self.norm_row.count

    @property
    def norm(self) -> int:
        return self.norm_row.norm

    @property
    def standing(self) -> str:
        return standing(self.norm_row)

    @property
    def standing_label(self) -> str:
        return str(Standing.LABELS[self.standing])

    @property
    def justified_share(self) -> float | None:
        """Per cent of the complaints with a justification that were justified or partly; None without any."""
        return round(100 * self.justified / self.judged, 1) if self.judged else None


def _norm(supplier: Supplier, settings: CapaSettings) -> int:
    own = getattr(supplier, "capa_norm", None)
    return own.norm if own is not None else settings.supplier_norm


def _card_figures(period: Period, cards: Q, only: Supplier | None = None) -> dict[int, list[int]]:
    """{supplier id: [complaints, justified, judged, norm count]} of the period's counted cards, in one
    pass grouped by the card's own two keys: no join per card, so the database reads the norms' index
    alone; the component's supplier is looked up after, in the grouped rows. The norm count is
    norms.counts()'s: justified or partly, caused by a supplier. With `only`, `cards` are that supplier's."""
    start, end = period.bounds()
    justified = Q(justification__in=COUNTED_JUSTIFICATIONS)
    by_supplier = Q(cause__in=Cause.objects.filter(kind=CauseKind.SUPPLIER).values("pk"))
    lines = list(counted_complaints().filter(cards, received_at__gte=start, received_at__lt=end).values(
        "supplier", "component",
    ).annotate(
        n=Count(INDEXED), justified=Count(INDEXED, filter=justified),
        judged=Count(INDEXED, filter=~Q(justification="")), counted=Count(INDEXED, filter=justified & by_supplier),
    ).order_by())
    if only is not None:
        makers: dict[int, int | None] = {line["component"]: only.pk for line in lines}
    else:
        makers = component_suppliers(line["component"] for line in lines if line["supplier"] is None)
    figures: dict[int, list[int]] = {}
    for line in lines:
        key = line["supplier"] if line["supplier"] is not None else makers.get(line["component"])
        if key is not None:
            total = figures.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate((line["n"], line["justified"], line["judged"], line["counted"])):
                total[i] += value
    return figures


def _rows(suppliers: list[Supplier], period: Period, only: Supplier | None = None) -> list[SupplierRow]:
    """The rows of these suppliers (fetched with their own norm) in six queries whatever their number;
    `only` narrows every query to that one supplier's cards."""
    settings = CapaSettings.current()
    start, end = period.bounds()
    if only is None:
        cards, records, grants = Q(), Q(), Q()
    else:
        cards, records, grants = of_supplier(only), Q(supplier=only), of_supplier(only, "complaint__")
    figures = _card_figures(period, cards, only)
    rows = {}
    for s in suppliers:
        complaints, justified, judged, counted = figures.get(s.pk, (0, 0, 0, 0))
        rows[s.pk] = SupplierRow(
            s, NormRow(NormSubject.SUPPLIER, counted, _norm(s, settings), s),
            complaints=complaints, justified=justified, judged=judged,
        )
    open_records = Nonconformity.objects.filter(records).exclude(state=NonconformityState.CLOSED)
    for key, n in open_records.values_list("supplier").annotate(n=Count("pk")).values_list("supplier", "n"):
        if (row := rows.get(key)) is not None:
            row.open_nonconformities = n
    actions = Action.objects.filter(
        nonconformity__in=open_records, status__in=OPEN_ACTION,
    ).values_list("nonconformity__supplier").annotate(n=Count("pk")).values_list("nonconformity__supplier", "n")
    for key, n in actions:
        if (row := rows.get(key)) is not None:
            row.open_actions = n
    paid = given_between(start, end).filter(grants).values(key=card_supplier("complaint__")).annotate(
        value=Sum("value"),
    )
    for key, value in paid.values_list("key", "value"):
        if (row := rows.get(key)) is not None:
            row.compensation = value
    return list(rows.values())


def listed_suppliers() -> QuerySet[Supplier]:
    """Every supplier the list shows: active, not merged into another; with its own norm, if any."""
    return Supplier.objects.filter(is_active=True, merged_into__isnull=True).select_related("capa_norm")


def _severity(row: SupplierRow) -> tuple:
    return ({Standing.OVER: 2, Standing.AT: 1, Standing.WITHIN: 0}[row.standing], row.counted / row.norm)


SORTS: dict[str, Callable[[SupplierRow], Any]] = {
    "supplier": lambda row: row.supplier.localized_name.casefold(),
    "complaints": lambda row: row.complaints,
    "counted": lambda row: row.counted,
    "share": lambda row: -1 if row.justified_share is None else row.justified_share,
    "status": _severity,
    "nonconformities": lambda row: row.open_nonconformities,
    "actions": lambda row: row.open_actions,
    "compensation": lambda row: row.compensation,
}
DEFAULT_SORT = "-status"


def suppliers_table(*, period: Period, sort: str = "", status: str = "", with_open: bool = False) -> list[SupplierRow]:
    """Every listed supplier's row in the period, in a fixed number of queries. `sort` is a key of SORTS,
    "-" first for descending (default: the worst standing first); `status` keeps one Standing;
    `with_open` keeps the suppliers with an open nonconformity."""
    rows = _rows(list(listed_suppliers()), period)
    if status:
        rows = [row for row in rows if row.standing == status]
    if with_open:
        rows = [row for row in rows if row.open_nonconformities]
    name = (sort or DEFAULT_SORT).removeprefix("-")
    key = SORTS.get(name, SORTS["status"])
    rows.sort(key=SORTS["supplier"])  # ties in name order, whichever way
    rows.sort(key=key, reverse=(sort or DEFAULT_SORT).startswith("-"))
    return rows


@dataclass(frozen=True)
class Tally:
    """The supplier's complaints of one component or cause: all counted, and those in the norm."""

    label: str
    complaints: int
    counted: int


@dataclass(frozen=True)
class HistoryPoint:
    period: Period
    count: int
    norm: int

    @property
    def standing(self) -> str:
        return standing(NormRow(NormSubject.SUPPLIER, self.count, self.norm))


@dataclass
class Scorecard:
    supplier: Supplier
    period: Period
    row: SupplierRow
    by_component: list[Tally]
    by_cause: list[Tally]
    history: list[HistoryPoint]  # the oldest first, ending with `period`
    nonconformities: list[Nonconformity]  # open ones, with `actions_shown` each (all their actions)
    grants: list[CompensationGrant]  # given in the period on the supplier's cards
    generated_at: datetime = field(default_factory=timezone.now)


def recent_periods(kind: str, now: datetime | None = None) -> list[Period]:
    """The periods of this kind the chart shows, the oldest first, ending with the current one."""
    periods = [current_period(kind, now)]
    for _step in range(HISTORY[kind] - 1):
        periods.insert(0, periods[0].previous())
    return periods


def _tallies(cards: QuerySet[Complaint], by: str, names: Callable[[Iterable[int]], dict]) -> list[Tally]:
    lines = list(cards.values(by).annotate(
        n=Count("pk"),
        counted=Count("pk", filter=Q(justification__in=COUNTED_JUSTIFICATIONS, cause__kind=CauseKind.SUPPLIER)),
    ).order_by("-n", by))
    known = names([line[by] for line in lines if line[by] is not None])
    unknown = str(_("not stated"))
    return [
        Tally(known[line[by]].localized_name if line[by] in known else unknown, line["n"], line["counted"])
        for line in lines
    ]


def _history(supplier: Supplier, kind: str, periods: list[Period], norm: int) -> list[HistoryPoint]:
    """The norm count of each period in one query grouped by the period's start in the company's zone."""
    span = Period(kind, periods[0].start, periods[-1].end)
    rows = counted_in(span).filter(of_supplier(supplier), cause__kind=CauseKind.SUPPLIER).annotate(
        starts=Trunc("received_at", kind, tzinfo=timezone.get_default_timezone()),
    ).values("starts").annotate(n=Count("pk")).values_list("starts", "n")
    found: dict = {}
    for starts, n in rows:
        day = period_of(kind, timezone.localdate(starts) if isinstance(starts, datetime) else starts).start
        found[day] = found.get(day, 0) + n
    return [HistoryPoint(period, found.get(period.start, 0), norm) for period in periods]


def supplier_scorecard(
    supplier: Supplier, *, period_kind: str = PeriodKind.YEAR, now: datetime | None = None,
) -> Scorecard:
    """The supplier's scorecard for the current period of `period_kind` at `now` (a fixed number of queries)."""
    periods = recent_periods(period_kind, now)
    period = periods[-1]
    supplier = Supplier.objects.select_related("capa_norm").get(pk=supplier.pk)
    row = _rows([supplier], period, only=supplier)[0]
    start, end = period.bounds()
    cards = counted_complaints().filter(of_supplier(supplier), received_at__gte=start, received_at__lt=end)
    nonconformities = list(
        Nonconformity.objects.filter(supplier=supplier).exclude(state=NonconformityState.CLOSED)
        .select_related("owner").order_by("opened_at", "pk"),
    )
    actions: dict[int, list[Action]] = {}
    for action in Action.objects.filter(nonconformity__in=nonconformities).select_related("owner").order_by(
        "due_date", "pk",
    ):
        actions.setdefault(action.nonconformity_id, []).append(action)
    for record in nonconformities:
        record.actions_shown = actions.get(record.pk, [])  # type: ignore[attr-defined]
    grants = list(
        given_between(start, end).filter(of_supplier(supplier, "complaint__"))
        .select_related("complaint", "option").order_by("granted_at", "pk"),
    )
    return Scorecard(
        supplier=supplier, period=period, row=row,
        by_component=_tallies(cards, "component", Component.objects.in_bulk),
        by_cause=_tallies(cards, "cause", Cause.objects.in_bulk),
        history=_history(supplier, period_kind, periods, row.norm),
        nonconformities=nonconformities, grants=grants,
    )


def scorecard_complaints(scorecard: Scorecard) -> QuerySet[Complaint]:
    """The counted complaints on the supplier's account in the scorecard's period (the workbook's list)."""
    start, end = scorecard.period.bounds()
    return counted_complaints().filter(
        of_supplier(scorecard.supplier), received_at__gte=start, received_at__lt=end,
    ).select_related("component", "cause").only(
        "number", "received_at", "justification", "state", "component__name", "component__name_en",
        "component__name_hy", "cause__name", "cause__name_en", "cause__name_hy", "cause__kind",
    ).order_by("received_at", "pk")


def counted_in_norm(card: Complaint) -> bool:
    """Whether a counted card of the supplier's is in its norm count (its cause's kind read with the card)."""
    cause = card.cause
    return card.justification in COUNTED_JUSTIFICATIONS and cause is not None and cause.kind == CauseKind.SUPPLIER


def final_supplier(supplier: Supplier) -> Supplier:
    """The supplier a merged one's history now lives on (following merges of merges)."""
    seen = {supplier.pk}
    while supplier.merged_into_id is not None and supplier.merged_into_id not in seen:
        seen.add(supplier.merged_into_id)
        supplier = Supplier.objects.get(pk=supplier.merged_into_id)
    return supplier
