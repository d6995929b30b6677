"""How many complaints come in, from where and from whom: by week and by month per channel, per 1,000
orders, and the customers who complain again. Each figure is one GROUP BY in the database; the drill
of a figure filters the same counted cards by the same bucket."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.customers.models import Contact

from ..charts import ChartData, ChartSpec, Point, Series, register_chart
from ..filters import AnalyticsFilter
from ..models import MonthlyOrders
from ..selectors import counted_complaints
from .shared import once

CARDS = "cards"
PER_THOUSAND = "per_thousand"
REPEAT_LIMIT = 15  # the bar chart stays readable; the register export lists everyone


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def month_from_key(key: str) -> date:
    """ValueError for anything but "2026-03"."""
    return datetime.strptime(key, "%Y-%m").date()


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def months_of(filters: AnalyticsFilter) -> list[date]:
    """The first days of the months the period touches, in order."""
    month, months = filters.start.replace(day=1), []
    while month <= filters.end:
        months.append(month)
        month = next_month(month)
    return months


def next_week(monday: date) -> date:
    return monday + timedelta(days=7)


def week_key(monday: date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_from_key(key: str) -> date:
    """The Monday of an ISO week key "2026-W09"; ValueError for anything else."""
    return datetime.strptime(key + "-1", "%G-W%V-%u").date()


def weeks_of(filters: AnalyticsFilter) -> list[date]:
    """The Mondays of the ISO weeks the period touches, in order."""
    monday, weeks = filters.start - timedelta(days=filters.start.weekday()), []
    while monday <= filters.end:
        weeks.append(monday)
        monday = next_week(monday)
    return weeks


def _in_days(cards: QuerySet[Complaint], first: date, after: date) -> QuerySet[Complaint]:
    """The cards received from `first` up to `after` (excluded), local days."""
    return cards.filter(received_at__gte=_local_midnight(first), received_at__lt=_local_midnight(after))


def _channel_series(counts: dict[tuple[date, str], int]) -> list[Series]:
    present = {channel for _bucket, channel in counts}
    return [Series(channel.value, channel.label) for channel in Channel if channel.value in present]


BUCKETS_PER_QUERY = 100  # a query's column count stays far below the databases' limits


def _bucket_counts(cards: QuerySet[Complaint], starts: list[date], following: Callable[[date], date],
                   ) -> dict[tuple[date, str], int]:
    """Counts by (bucket, channel) over the buckets' local bounds, with no time zone arithmetic per row.
    PostgreSQL counts each bucket as a filtered COUNT, one group per channel, in parallel workers;
    SQLite, which has none, finds each card's bucket by a binary search (a comparison per bucket per
    row took it three times as long)."""
    if not starts:
        return {}
    edges = [_local_midnight(day) for day in [*starts, following(starts[-1])]]
    if connection.vendor != "postgresql":
        rows = (cards.annotate(bucket=bucket_index(edges, 0, len(starts))).values("bucket", "channel")
                .annotate(cards=Count("pk")).order_by().values_list("bucket", "channel", "cards"))
        return {(starts[bucket], channel): count for bucket, channel, count in rows}
    counts: dict[tuple[date, str], int] = {}
    for first in range(0, len(starts), BUCKETS_PER_QUERY):
        chunk = range(first, min(first + BUCKETS_PER_QUERY, len(starts)))
        names = {f"b{i}": i for i in chunk}
        filtered = cards.values("channel").annotate(**{
            name: Count("pk", filter=Q(received_at__gte=edges[i], received_at__lt=edges[i + 1]))
            for name, i in names.items()
        })
        for channel, *values in filtered.order_by().values_list("channel", *names):
            counts.update({(starts[i], channel): value for i, value in zip(chunk, values, strict=True) if value})
    return counts


def bucket_index(edges: list[datetime], low: int, high: int) -> Case | Value:
    """The index i of the bucket edges[i] <= received_at < edges[i + 1], for a card between edges[low]
    and edges[high]."""
    if high - low == 1:
        return Value(low)
    middle = (low + high) // 2
    return Case(When(received_at__lt=edges[middle], then=bucket_index(edges, low, middle)),
                default=bucket_index(edges, middle, high), output_field=IntegerField())


def _stacked(key: str, title, buckets: list[tuple[date, str, str]], counts: dict[tuple[date, str], int],
             note) -> ChartData:
    series = _channel_series(counts)
    points = [
        Point(bucket_key, label, {s.key: counts.get((start, s.key), 0) for s in series})
        for start, bucket_key, label in buckets
    ]
    return ChartData(key=key, title=title, kind="stacked", series=series, points=points, note=note)


def _channel_of(series: str) -> str:
    if series not in Channel.values:
        raise ValueError(f"No channel {series!r}.")
    return series


BY_WEEK_TITLE = _("Complaints per week by channel")
BY_MONTH_TITLE = _("Complaints per month by channel")
PER_THOUSAND_TITLE = _("Complaints per 1,000 orders")
PERIOD_NOTE = _("Cards received in the period; the first and the last week or month count only its days in the period.")


def by_week_channel(user: User, filters: AnalyticsFilter) -> ChartData:
    mondays = weeks_of(filters)
    counts = _bucket_counts(counted_complaints(user, filters), mondays, next_week)
    buckets = [(monday, week_key(monday), week_key(monday)) for monday in mondays]
    return _stacked("by_week_channel", BY_WEEK_TITLE, buckets, counts, PERIOD_NOTE)


def by_week_channel_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    monday = week_from_key(point)
    cards = counted_complaints(user, filters).filter(channel=_channel_of(series))
    return _in_days(cards, monday, next_week(monday))


def month_channel_counts(user: User, filters: AnalyticsFilter) -> dict[tuple[date, str], int]:
    """By month of the period and channel; read once for the charts of a page (the intake page has two)."""
    return once(("month_channel", user.pk, filters),
                lambda: _bucket_counts(counted_complaints(user, filters), months_of(filters), next_month))


def by_month_channel(user: User, filters: AnalyticsFilter) -> ChartData:
    months = months_of(filters)
    counts = month_channel_counts(user, filters)
    buckets = [(month, month_key(month), month_label(month)) for month in months]
    return _stacked("by_month_channel", BY_MONTH_TITLE, buckets, counts, PERIOD_NOTE)


def month_cards(user: User, filters: AnalyticsFilter, point: str) -> QuerySet[Complaint]:
    """The counted cards of the period received in the month `point` ("2026-03")."""
    month = month_from_key(point)
    return _in_days(counted_complaints(user, filters), month, next_month(month))


def by_month_channel_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    return month_cards(user, filters, point).filter(channel=_channel_of(series))


def cards_by_month(user: User, filters: AnalyticsFilter) -> dict[date, int]:
    totals: dict[date, int] = {}
    for (month, _channel), count in month_channel_counts(user, filters).items():
        totals[month] = totals.get(month, 0) + count
    return totals


def per_thousand_orders(user: User, filters: AnalyticsFilter) -> ChartData:
    months = months_of(filters)
    cards = cards_by_month(user, filters)
    orders = dict(MonthlyOrders.objects.filter(month__in=months).values_list("month", "orders"))
    points = []
    for month in months:
        count = cards.get(month, 0)
        rate = round(count * 1000 / orders[month], 2) if month in orders else None
        points.append(Point(month_key(month), month_label(month), {PER_THOUSAND: rate, CARDS: count}))
    return ChartData(
        key="per_thousand_orders", title=PER_THOUSAND_TITLE, kind="lines",
        series=[Series(PER_THOUSAND, _("Per 1,000 orders"), drillable=False), Series(CARDS, _("Complaints"))],
        points=points,
        note=_("Complaints received in the month per 1,000 orders of the month, as entered on the order "
               "counts page; no figure for a month without an order count. The filters narrow the "
               "complaints, not the orders; a month the period cuts counts only its days in the period."),
    )


def per_thousand_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    if series not in (CARDS, PER_THOUSAND):
        raise ValueError(f"No series {series!r}.")
    return month_cards(user, filters, point)  # a rate's cards are the month's complaints


def repeat_complainants(user: User, filters: AnalyticsFilter) -> ChartData:
    rows = (
        counted_complaints(user, filters).filter(contact__isnull=False)
        .values("contact").annotate(cards=Count("pk")).filter(cards__gte=2)
        .order_by("-cards", "contact")[:REPEAT_LIMIT]
    )
    counts = {row["contact"]: row["cards"] for row in rows}
    names = dict(Contact.objects.filter(pk__in=counts).values_list("pk", "full_name"))
    return ChartData(
        key="repeat_complainants", title=_("Repeat complainants"), kind="bars",
        series=[Series(CARDS, _("Complaints"))],
        points=[Point(str(pk), names[pk], {CARDS: cards}) for pk, cards in counts.items()],
        note=_("Contact persons with two or more complaints received in the period, the %(limit)s with "
               "the most.") % {"limit": REPEAT_LIMIT},
    )


def repeat_complainants_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    if series != CARDS:
        raise ValueError(f"No series {series!r}.")
    return counted_complaints(user, filters).filter(contact_id=int(point))


def register() -> None:
    register_chart(ChartSpec("by_week_channel", BY_WEEK_TITLE, by_week_channel, by_week_channel_drill))
    register_chart(ChartSpec("by_month_channel", BY_MONTH_TITLE, by_month_channel, by_month_channel_drill))
    register_chart(ChartSpec("per_thousand_orders", PER_THOUSAND_TITLE, per_thousand_orders, per_thousand_drill))
    register_chart(ChartSpec(
        "repeat_complainants", _("Repeat complainants"), repeat_complainants, repeat_complainants_drill,
    ))
