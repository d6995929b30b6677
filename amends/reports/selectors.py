"""The weekly deadline-control summary (seed 002 §40): what came in during a week, which deadlines
were met on time or late that week, and what is overdue or oldest now.

Every figure is an aggregate in the database, so the number of queries does not grow with the
number of cards. Only complaints and claims are counted: duplicates (DOMAIN.md §1), objections and
other requests (DOMAIN.md, "Words") are left out of every figure, and the cards received in the week
that were left out are shown apart. A clock met by registration itself (a phone call taken: the first
response is the registration) was not a deadline anyone had to meet: it is shown apart, never as met
on time. Measures' due dates are the resolution clock: a measure is met on time when reported by the
end of its due day.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.complaints.choices import COUNTED_REQUEST_TYPES, OPEN_STATES, Channel, RequestType, State
from amends.complaints.models import Category, Complaint, Measure
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import TICKING, Clock
from amends.deadlines.selectors import RESOLUTION_LABEL

from .weeks import WEEK, company_zone, day_start, previous_week_start, week_label, week_start_of

RESOLUTION = "resolution"
# Rows always shown; the statutory clocks only in a week that has any.
STANDARD_ROWS = (ClockKind.FIRST_RESPONSE, ClockKind.DECISION, RESOLUTION)
STATUTORY_ROWS = (ClockKind.REGISTRATION, ClockKind.ANSWER)
ROW_ORDER = (ClockKind.FIRST_RESPONSE, ClockKind.DECISION, ClockKind.REGISTRATION, ClockKind.ANSWER, RESOLUTION)
OLDEST_OPEN = 10


def clock_label(kind: str) -> str | Promise:
    return _("Measures (resolution)") if kind == RESOLUTION else ClockKind(kind).label


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    count: int

    @property
    def label(self) -> str | Promise:
        return Channel(self.channel).label


@dataclass(frozen=True)
class CategoryCount:
    category: Category | None  # top level; None for cards without a category
    count: int

    @property
    def label(self) -> str | Promise:
        # Read when rendered, so each reader gets the name in their language.
        return self.category.localized_name if self.category else _("Uncategorised")


@dataclass(frozen=True)
class SetAsideCount:
    """Cards received in the week and left out of the figures."""

    kind: str  # a RequestType left out, or State.DUPLICATE
    count: int

    @property
    def label(self) -> str | Promise:
        return State(self.kind).label if self.kind == State.DUPLICATE else RequestType(self.kind).label


@dataclass(frozen=True)
class ClockFigures:
    kind: str  # a ClockKind, or RESOLUTION for measures
    on_time: int  # met during the week by the due time, by someone
    late: int  # met during the week after the due time
    overdue: int  # running now and past due
    by_registration: int = 0  # met during the week by registering the card: in no other figure

    @property
    def label(self) -> str | Promise:
        return clock_label(self.kind)

    @property
    def percent_on_time(self) -> int | None:
        """Of the deadlines someone met this week, the share met on time; None when none was met."""
        met = self.on_time + self.late
        return round(100 * self.on_time / met) if met else None


@dataclass(frozen=True)
class OverdueLine:
    complaint: Complaint  # with `responsible` loaded
    kind: str
    due_at: datetime
    late_by: timedelta  # calendar time since the due time
    measure: Measure | None = None

    @property
    def label(self) -> str | Promise:
        if self.measure is not None:
            return RESOLUTION_LABEL % {"measure": self.measure.description[:80]}
        return clock_label(self.kind)


@dataclass(frozen=True)
class OpenCard:
    complaint: Complaint  # with `responsible` loaded
    age: timedelta


@dataclass(frozen=True)
class WeeklySummary:
    week_start: date  # a Monday
    now: datetime  # the moment "overdue", "open" and ages refer to
    by_channel: list[ChannelCount]
    by_category: list[CategoryCount]
    set_aside: list[SetAsideCount]  # received in the week, left out of every figure
    clocks: list[ClockFigures]
    overdue: list[OverdueLine]  # the longest overdue first; cut at the limit asked for
    overdue_total: int  # overdue clocks and measures, however many are listed
    overdue_cards: int
    oldest_open: list[OpenCard]

    @property
    def label(self) -> str:
        return week_label(self.week_start)

    @property
    def week_end(self) -> date:
        """The Sunday."""
        return self.week_start + WEEK - timedelta(days=1)

    @property
    def received(self) -> int:
        return sum(row.count for row in self.by_channel)

    @property
    def previous_label(self) -> str:
        return week_label(self.week_start - WEEK)

    @property
    def next_label(self) -> str | None:
        """None when the next week has not begun yet."""
        following = self.week_start + WEEK
        return week_label(following) if following <= week_start_of(self.now) else None


def weekly_summary(
    week_start: date | None = None, now: datetime | None = None, overdue_limit: int | None = None,
) -> WeeklySummary:
    """The summary of the week starting on `week_start` (a Monday; by default the last whole week
    before `now`) as it stands at `now`."""
    now = now or timezone.now()
    week_start = week_start or previous_week_start(now)
    week_start -= timedelta(days=week_start.weekday())
    starts, ends = day_start(week_start), day_start(week_start + WEEK)
    counted = counted_complaints()
    received = counted.filter(received_at__gte=starts, received_at__lt=ends)
    overdue_clocks, overdue_measures = _overdue_clocks(now), _overdue_measures(now)
    # One pass over the overdue clocks gives both their count by kind and their cards: each clock
    # joins its card, the costly part at a million cards (bench/million.py).
    clock_cards = list(overdue_clocks.order_by().values_list("kind", "complaint_id"))
    measure_cards = list(overdue_measures.order_by().values_list("complaint_id", flat=True))
    overdue_by_kind = dict(Counter(kind for kind, _card in clock_cards))
    overdue_by_kind[RESOLUTION] = len(measure_cards)
    return WeeklySummary(
        week_start=week_start, now=now,
        by_channel=_by_channel(received),
        by_category=_by_category(received),
        set_aside=_set_aside(starts, ends),
        clocks=_clock_figures(starts, ends, overdue_by_kind),
        overdue=_overdue_lines(overdue_clocks, overdue_measures, now, overdue_limit),
        overdue_total=sum(overdue_by_kind.values()),
        # Found from the overdue clocks and measures (of counted cards already), not by asking each card.
        overdue_cards=len({card for _kind, card in clock_cards}.union(measure_cards)),
        oldest_open=[
            OpenCard(complaint=card, age=now - card.received_at)
            for card in counted.filter(state__in=OPEN_STATES).select_related("responsible")
            .order_by("received_at", "pk")[:OLDEST_OPEN]
        ],
    )


def counted_complaints() -> QuerySet[Complaint]:
    """The cards complaint statistics count: complaints and claims that are not duplicates."""
    return Complaint.objects.exclude(state=State.DUPLICATE).filter(request_type__in=COUNTED_REQUEST_TYPES)


def _of_counted_cards(queryset: QuerySet) -> QuerySet:
    """Clocks or measures of the counted cards, each card joined, not a list of every counted card."""
    return queryset.filter(complaint__request_type__in=COUNTED_REQUEST_TYPES).exclude(complaint__state=State.DUPLICATE)


def _set_aside(starts: datetime, ends: datetime) -> list[SetAsideCount]:
    received = Complaint.objects.filter(received_at__gte=starts, received_at__lt=ends)
    duplicates = received.filter(state=State.DUPLICATE).count()
    by_type = _counts(received.exclude(state=State.DUPLICATE).exclude(request_type__in=COUNTED_REQUEST_TYPES),
                      "request_type")
    rows = [SetAsideCount(kind, by_type[kind]) for kind in RequestType.values if kind in by_type]
    return [*rows, SetAsideCount(State.DUPLICATE, duplicates)] if duplicates else rows


def _counts(queryset: QuerySet, field: str) -> dict:
    # order_by() drops the model's default ordering, which would otherwise split the groups.
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def _by_channel(received: QuerySet[Complaint]) -> list[ChannelCount]:
    counts = _counts(received, "channel")
    return [ChannelCount(channel, counts[channel]) for channel in Channel.values if channel in counts]


def _by_category(received: QuerySet[Complaint]) -> list[CategoryCount]:
    """Subcategories are folded into their top-level category."""
    counts = _counts(received.annotate(top=Coalesce("category__parent_id", "category_id")), "top")
    categories = Category.objects.in_bulk([pk for pk in counts if pk is not None])
    ordered = sorted(((pk, n) for pk, n in counts.items() if pk is not None), key=lambda item: (-item[1], item[0]))
    rows = [CategoryCount(categories[pk], n) for pk, n in ordered]
    if None in counts:
        rows.append(CategoryCount(None, counts[None]))
    return rows


def _clock_figures(starts: datetime, ends: datetime, overdue: dict[str, int]) -> list[ClockFigures]:
    clocks = _of_counted_cards(Clock.objects.filter(met_at__gte=starts, met_at__lt=ends))
    by_someone = Q(met_by_registration=False)
    met = {
        row["kind"]: (row["on_time"], row["late"], row["by_registration"])
        for row in clocks.values("kind").annotate(
            on_time=Count("pk", filter=by_someone & Q(met_at__lte=F("due_at"))),
            late=Count("pk", filter=by_someone & Q(met_at__gt=F("due_at"))),
            by_registration=Count("pk", filter=Q(met_by_registration=True)),
        ).order_by()
    }
    measures = _of_counted_cards(Measure.objects.filter(done_at__gte=starts, done_at__lt=ends)).annotate(
        done_on=TruncDate("done_at", tzinfo=company_zone()),
    ).aggregate(
        on_time=Count("pk", filter=Q(done_on__lte=F("due_date"))),
        late=Count("pk", filter=Q(done_on__gt=F("due_date"))),
    )
    met[RESOLUTION] = (measures["on_time"], measures["late"], 0)
    rows = []
    for kind in ROW_ORDER:
        on_time, late, by_registration = met.get(kind, (0, 0, 0))
        rows.append(ClockFigures(kind, on_time, late, overdue.get(kind, 0), by_registration))
    return [
        row for row in rows
        if row.kind in STANDARD_ROWS or row.on_time or row.late or row.overdue or row.by_registration
    ]


# The open states named, not the final ones excluded: the few open cards are then found by the
# state's index, where "not final" read every card on PostgreSQL (bench/million.py).
def _overdue_clocks(now: datetime) -> QuerySet[Clock]:
    """Clocks ticking past their due time; a paused clock waits for the customer and is not late."""
    return Clock.objects.filter(
        TICKING, due_at__lte=now, complaint__request_type__in=COUNTED_REQUEST_TYPES, complaint__state__in=OPEN_STATES,
    )


def _overdue_measures(now: datetime) -> QuerySet[Measure]:
    """Measures not reported by the end of their due day."""
    today = timezone.localtime(now, company_zone()).date()
    return Measure.objects.filter(
        done_at__isnull=True, due_date__lt=today, complaint__request_type__in=COUNTED_REQUEST_TYPES,
        complaint__state__in=OPEN_STATES,
    )


def _overdue_lines(
    clocks: QuerySet[Clock], measures: QuerySet[Measure], now: datetime, limit: int | None,
) -> list[OverdueLine]:
    lines = [
        OverdueLine(clock.complaint, clock.kind, clock.due_at, now - clock.due_at)
        for clock in clocks.select_related("complaint__responsible").order_by("due_at", "pk")[:limit]
    ]
    for measure in measures.select_related("complaint__responsible").order_by("due_date", "pk")[:limit]:
        due_at = day_start(measure.due_date + timedelta(days=1))
        lines.append(OverdueLine(measure.complaint, RESOLUTION, due_at, now - due_at, measure=measure))
    lines.sort(key=lambda line: line.due_at)
    return lines[:limit]
