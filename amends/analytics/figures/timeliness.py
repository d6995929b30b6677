"""How fast the cards received in the period were handled, per clock kind (first response, decision,
the statutory clocks): the median and 90th percentile of the time a person took to meet a clock, and
the share of deadlines met on time.

Only clocks a person had to meet count: a clock met by registering the card (a phone call taken) had
nobody racing it, and a stopped clock (the card closed, withdrawn or found a duplicate first) was never
decided either way. The percentiles are PostgreSQL's PERCENTILE_CONT; SQLite has none, and there the
durations are computed in the database and sorted in Python (see measured_times)."""

import math
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import Clock

from ..charts import ChartData, ChartSpec, Point, Series, register_chart
from ..filters import AnalyticsFilter
from ..selectors import counted_complaints
from .shared import once

HOUR = 3600
MEDIAN, P90, MEASURED = "median_h", "p90_h", "measured"
ON_TIME_PCT, ON_TIME, LATE = "on_time_pct", "on_time", "late"
SHARES = {MEDIAN: 0.5, P90: 0.9}

# Met by a person: registering the card was no response anyone made.
MET_BY_PERSON = Q(met_at__isnull=False, met_by_registration=False)
# A deadline someone had to meet and that was decided or can still be missed.
JUDGED = Q(stopped_at__isnull=True, met_by_registration=False)
MET_ON_TIME = Q(met_at__isnull=False, met_at__lte=F("due_at"))


def missed(now: datetime) -> Q:
    """Met after the due time, or still not met and past it; a clock paused while the card waits for the
    customer is not late (its due time moves when the wait ends)."""
    late = Q(met_at__isnull=False, met_at__gt=F("due_at"))
    return late | Q(met_at__isnull=True, paused_at__isnull=True, due_at__lt=now)


class MeasuredSeconds(Func):
    """met_at − started_at − paused_total, in seconds."""

    output_field = FloatField()

    def __init__(self) -> None:
        super().__init__(F("met_at"), F("started_at"), F("paused_total"))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)",
            arg_joiner=" - ", **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Datetimes are ISO text there, durations whole microseconds.
        met, started, paused = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"((julianday({met[0]}) - julianday({started[0]})) * 86400.0 - {paused[0]} / 1000000.0)"
        return sql, (*met[1], *started[1], *paused[1])


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile: interpolated between the two nearest values."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, share: float, filter: Q | None = None) -> None:
        super().__init__(expression, share=float(share), filter=filter)


def period_clocks(user: User, filters: AnalyticsFilter) -> QuerySet[Clock]:
    """The clocks of the counted cards received in the period."""
    return Clock.objects.filter(complaint__in=counted_complaints(user, filters)).order_by()


def interpolated(ordered: list[float], share: float) -> float:
    """PERCENTILE_CONT of sorted values: between the two nearest ranks of share × (count − 1)."""
    position = share * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measured_times(measured: QuerySet[Clock]) -> dict[str, dict[str, float]]:
    """{kind: {MEASURED: cards, MEDIAN: seconds, P90: seconds}}."""
    if connection.vendor == "postgresql":
        rows = measured.values("kind").annotate(
            cards=Count("complaint", distinct=True),
            median=PercentileCont(MeasuredSeconds(), SHARES[MEDIAN]),
            p90=PercentileCont(MeasuredSeconds(), SHARES[P90]),
        )
        return {row["kind"]: {MEASURED: row["cards"], MEDIAN: row["median"], P90: row["p90"]} for row in rows}
    # SQLite sorts these slower than Python does once they are read (measured: 2.3 s against 1.2 s under
    # load for 275,000 clocks), and a window over them slower still: read (kind, card, seconds) and sort here.
    found: dict[str, tuple[list[float], set[int]]] = {}
    for kind, card, seconds in measured.annotate(seconds=MeasuredSeconds()).values_list("kind", "complaint", "seconds"):
        times, cards = found.setdefault(kind, ([], set()))
        times.append(seconds)
        cards.add(card)
    figures = {}
    for kind, (times, cards) in found.items():
        times.sort()
        figures[kind] = {MEASURED: len(cards), MEDIAN: interpolated(times, SHARES[MEDIAN]),
                         P90: interpolated(times, SHARES[P90])}
    return figures


def clock_figures(user: User, filters: AnalyticsFilter) -> dict[str, dict[str, Any]]:
    """PostgreSQL: both charts' figures by clock kind in one scan of the period's clocks (two scans and
    their sorts took twice as long), read once for a page that shows both:
    {kind: {MEASURED, MEDIAN, P90 (seconds), ON_TIME, LATE}}."""
    def compute() -> dict[str, dict[str, Any]]:
        seconds = MeasuredSeconds()
        rows = period_clocks(user, filters).filter(MET_BY_PERSON | JUDGED).values("kind").annotate(
            measured=Count("complaint", distinct=True, filter=MET_BY_PERSON),
            median=PercentileCont(seconds, SHARES[MEDIAN], filter=MET_BY_PERSON),
            p90=PercentileCont(seconds, SHARES[P90], filter=MET_BY_PERSON),
            on_time=Count("complaint", distinct=True, filter=JUDGED & MET_ON_TIME),
            late=Count("complaint", distinct=True, filter=JUDGED & missed(timezone.now())),
        )
        return {row["kind"]: {MEASURED: row["measured"], MEDIAN: row["median"], P90: row["p90"],
                              ON_TIME: row["on_time"], LATE: row["late"]} for row in rows}

    return once(("clocks", user.pk, filters), compute)


def kinds_in_order(kinds) -> list[str]:
    return [kind for kind in ClockKind.values if kind in kinds]


def hours(seconds: float) -> float:
    return round(seconds / HOUR, 1)


RESPONSE_TIMES_TITLE = _("Response and decision times")
ON_TIME_SHARE_TITLE = _("Deadlines met on time")


def response_times(user: User, filters: AnalyticsFilter) -> ChartData:
    figures: dict
    if filters.end < filters.start:
        figures = {}
    elif connection.vendor == "postgresql":
        figures = {kind: row for kind, row in clock_figures(user, filters).items() if row[MEASURED]}
    else:
        figures = measured_times(period_clocks(user, filters).filter(MET_BY_PERSON))
    return ChartData(
        key="response_times", title=RESPONSE_TIMES_TITLE, kind="bars",
        series=[
            Series(MEDIAN, _("Median, hours"), unit="h", drillable=False),
            Series(P90, _("9 in 10 within, hours"), unit="h", drillable=False),
            Series(MEASURED, _("Cards measured")),
        ],
        points=[
            Point(kind, ClockKind(kind).label, {
                MEDIAN: hours(figures[kind][MEDIAN]), P90: hours(figures[kind][P90]),
                MEASURED: figures[kind][MEASURED],
            })
            for kind in kinds_in_order(figures)
        ],
        note=gettext(
            "Hours from a clock's start until a person met it, less the time spent waiting for the customer. "
            "Clocks met by registering the card (a phone call taken) are left out."
        ),
    )


def kind_of(point: str) -> str:
    if point not in ClockKind.values:
        raise ValueError(f"no such point or series: {point!r}")
    return point


def response_times_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    if series not in (MEDIAN, P90, MEASURED):
        raise ValueError(f"no such point or series: {series!r}")
    clocks = Clock.objects.filter(MET_BY_PERSON, complaint=OuterRef("pk"), kind=kind_of(point))
    return counted_complaints(user, filters).filter(Exists(clocks))


def on_time_share(user: User, filters: AnalyticsFilter) -> ChartData:
    counted: dict[str, Any]
    if filters.end < filters.start:
        counted = {}
    elif connection.vendor == "postgresql":
        counted = clock_figures(user, filters)
    else:
        rows = period_clocks(user, filters).filter(JUDGED).values("kind").annotate(
            on_time=Count("complaint", distinct=True, filter=MET_ON_TIME),
            late=Count("complaint", distinct=True, filter=missed(timezone.now())),
        )
        counted = {row["kind"]: dict(row) for row in rows}
    figures = {kind: row for kind, row in counted.items() if row[ON_TIME] + row[LATE]}
    points = []
    for kind in kinds_in_order(figures):
        on_time, late = figures[kind]["on_time"], figures[kind]["late"]
        points.append(Point(kind, ClockKind(kind).label, {
            ON_TIME_PCT: round(100 * on_time / (on_time + late), 1), ON_TIME: on_time, LATE: late,
        }))
    return ChartData(
        key="on_time_share", title=ON_TIME_SHARE_TITLE, kind="bars",
        series=[
            Series(ON_TIME_PCT, _("Met on time, %"), unit="%", drillable=False),
            Series(ON_TIME, _("On time")),
            Series(LATE, _("Late")),
        ],
        points=points,
        note=gettext(
            "Late: met after the due time, or not met and past it now. Clocks met by registering the card, "
            "clocks stopped before their deadline and clocks paused while waiting for the customer are left out."
        ),
    )


def on_time_share_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    conditions = {ON_TIME: MET_ON_TIME, LATE: missed(timezone.now())}
    conditions[ON_TIME_PCT] = conditions[ON_TIME] | conditions[LATE]  # the cards the share is of
    if series not in conditions:
        raise ValueError(f"no such series: {series!r}")
    clocks = Clock.objects.filter(JUDGED, conditions[series], complaint=OuterRef("pk"), kind=kind_of(point))
    return counted_complaints(user, filters).filter(Exists(clocks))


def register() -> None:
    register_chart(ChartSpec(
        "response_times", RESPONSE_TIMES_TITLE, response_times, response_times_drill,
        description=_("First-response and decision times: the median and the time nine in ten cards took."),
        tags=("timeliness",),
    ))
    register_chart(ChartSpec(
        "on_time_share", ON_TIME_SHARE_TITLE, on_time_share, on_time_share_drill,
        description=_("The share of the deadlines a person had to meet that were met on time, per clock."),
        tags=("timeliness",),
    ))
