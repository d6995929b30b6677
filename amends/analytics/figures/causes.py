"""What the complaints are about and what is still open: the Pareto charts by category and by cause,
and the open cards by state and by age. Each figure is one GROUP BY (or one row of filtered counts)
in the database; the drill filters the same counted cards the same way."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.choices import OPEN_STATES, State
from amends.complaints.models import Category, Cause, Complaint

from ..charts import ChartData, ChartSpec, Point, Series, register_chart
from ..filters import AnalyticsFilter
from ..selectors import counted_complaints

CARDS = "cards"
CUMULATIVE = "cumulative"
NONE = "none"
PARETO_MARK = 80.0


def _series_checked(series: str, *known: str) -> None:
    if series not in known:
        raise ValueError(f"No series {series!r}.")


@dataclass(frozen=True)
class ParetoOf:
    """What a Pareto chart groups the cards by: the grouping expression, its filter, its names."""

    key: str
    field: str  # the card's field, for the cards with none
    title: str | Promise
    group: Callable[[], F | Coalesce]
    filter: Callable[[int], Q]
    names: Callable[[set[int]], dict[int, str]]
    none_label: str | Promise
    note: str | Promise


def _category_names(pks: set[int]) -> dict[int, str]:
    return {category.pk: category.localized_name for category in Category.objects.filter(pk__in=pks)}


def _cause_names(pks: set[int]) -> dict[int, str]:
    return {cause.pk: cause.localized_name for cause in Cause.objects.filter(pk__in=pks)}


BY_CATEGORY = ParetoOf(
    key="pareto_category", field="category", title=_("Complaints by category (Pareto)"),
    # A subcategory counts for its parent: the top-level category of every card.
    group=lambda: Coalesce("category__parent_id", "category_id"),
    filter=lambda pk: Q(category_id=pk) | Q(category__parent_id=pk),
    names=_category_names, none_label=_("No category"),
    note=_("Cards received in the period by top-level category (a subcategory counts for its parent), "
           "most first; the line is the cumulative share, the mark 80 %."),
)
BY_CAUSE = ParetoOf(
    key="pareto_cause", field="cause", title=_("Complaints by cause (Pareto)"),
    group=lambda: F("cause_id"), filter=lambda pk: Q(cause_id=pk),
    names=_cause_names, none_label=_("No cause recorded"),
    note=_("Cards received in the period by cause, most first; the line is the cumulative share, the mark 80 %."),
)


def pareto(of: ParetoOf, user: User, filters: AnalyticsFilter) -> ChartData:
    rows = counted_complaints(user, filters).values(group=of.group()).annotate(cards=Count("pk")).order_by()
    counts = {row["group"]: row["cards"] for row in rows}
    names = of.names({pk for pk in counts if pk is not None})
    # Most first; equal counts in a stable order, whatever the language: by pk, the cards with none last.
    ordered = sorted(counts.items(), key=lambda row: (-row[1], row[0] is None, row[0] or 0))
    total, running, points = sum(counts.values()), 0, []
    for pk, cards in ordered:
        running += cards
        key, label = (NONE, of.none_label) if pk is None else (str(pk), names[pk])
        points.append(Point(key, label, {CARDS: cards, CUMULATIVE: round(running * 100 / total, 1)}))
    return ChartData(
        key=of.key, title=of.title, kind="pareto", points=points, note=of.note, mark=PARETO_MARK,
        series=[Series(CARDS, _("Complaints")), Series(CUMULATIVE, _("Cumulative share"), unit="%", drillable=False)],
    )


def pareto_drill(of: ParetoOf, user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    _series_checked(series, CARDS, CUMULATIVE)  # a share's cards are its bar's
    cards = counted_complaints(user, filters)
    if point == NONE:
        return cards.filter(**{f"{of.field}__isnull": True})
    return cards.filter(of.filter(int(point)))


OPEN_BY_STATE_TITLE = _("Open cards by state")
OPEN_BY_AGE_TITLE = _("Open cards by age")
# Open cards are those open now, received up to the period's end: what the period left behind.
OPEN_NOTE_STATE = _("Cards open now that were received up to the end of the period (its start is not applied), "
                    "by state.")
OPEN_NOTE_AGE = _("Cards open now that were received up to the end of the period (its start is not applied), "
                  "by whole days since they were received.")


def open_cards(user: User, filters: AnalyticsFilter) -> QuerySet[Complaint]:
    _start, end = filters.bounds()
    return counted_complaints(user, filters, period=False).filter(received_at__lt=end, state__in=OPEN_STATES)


OPEN_STATES_IN_ORDER = [state for state in State if state in OPEN_STATES]


def open_by_state(user: User, filters: AnalyticsFilter) -> ChartData:
    counts = dict(open_cards(user, filters).values_list("state").annotate(cards=Count("pk")).order_by())
    return ChartData(
        key="open_by_state", title=OPEN_BY_STATE_TITLE, kind="bars", note=OPEN_NOTE_STATE,
        series=[Series(CARDS, _("Open cards"))],
        points=[Point(state.value, state.label, {CARDS: counts.get(state.value, 0)}) for state in OPEN_STATES_IN_ORDER],
    )


def open_by_state_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    _series_checked(series, CARDS)
    if point not in {state.value for state in OPEN_STATES_IN_ORDER}:
        raise ValueError(f"No open state {point!r}.")
    return open_cards(user, filters).filter(state=point)


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str | Promise
    first_day: int
    last_day: int | None  # None: no upper bound

    def received(self, now: datetime) -> Q:
        """Received so that whole days since then (24 hours each) fall in the band."""
        condition = Q(received_at__lte=now - timedelta(days=self.first_day))
        if self.last_day is not None:
            condition &= Q(received_at__gt=now - timedelta(days=self.last_day + 1))
        return condition


AGE_BANDS = [
    AgeBand("0-1", _("0–1 days"), 0, 1),
    AgeBand("2-3", _("2–3 days"), 2, 3),
    AgeBand("4-10", _("4–10 days"), 4, 10),
    AgeBand("11-30", _("11–30 days"), 11, 30),
    AgeBand("31-90", _("31–90 days"), 31, 90),
    AgeBand("91+", _("91 days and more"), 91, None),
]


def open_by_age(user: User, filters: AnalyticsFilter, now: datetime | None = None) -> ChartData:
    now = now or timezone.now()
    counts = open_cards(user, filters).aggregate(
        **{band.key: Count("pk", filter=band.received(now)) for band in AGE_BANDS},
    )
    return ChartData(
        key="open_by_age", title=OPEN_BY_AGE_TITLE, kind="bars", note=OPEN_NOTE_AGE,
        series=[Series(CARDS, _("Open cards"))],
        points=[Point(band.key, band.label, {CARDS: counts[band.key]}) for band in AGE_BANDS],
    )


def open_by_age_drill(user: User, filters: AnalyticsFilter, point: str, series: str,
                      now: datetime | None = None) -> QuerySet[Complaint]:
    _series_checked(series, CARDS)
    band = next((band for band in AGE_BANDS if band.key == point), None)
    if band is None:
        raise ValueError(f"No age band {point!r}.")
    return open_cards(user, filters).filter(band.received(now or timezone.now()))


def register() -> None:
    for of in (BY_CATEGORY, BY_CAUSE):
        register_chart(ChartSpec(of.key, of.title, compute=partial(pareto, of), drill=partial(pareto_drill, of)))
    register_chart(ChartSpec("open_by_state", OPEN_BY_STATE_TITLE, open_by_state, open_by_state_drill))
    register_chart(ChartSpec("open_by_age", OPEN_BY_AGE_TITLE, open_by_age, open_by_age_drill))
