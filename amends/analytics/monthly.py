"""The monthly review pack (DOMAIN.md §5): what the meeting of everyone responsible reads about one
month — its figures against the month before and the same month a year ago, the cards overdue and
open longest at the month's end, the top causes, the suppliers against their norms for the year to
date, the open corrective actions, and the meeting's decisions with last month's followed up.

Every card figure starts from selectors.counted_complaints: duplicates, withdrawn cards, objections
and other requests are never counted. "Open" and "overdue" are as at the month's end, so a past
month's pack reads the same next year; the on-time share counts late clocks as of now."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amends.accounts.models import User
from amends.capa.actions import OPEN_STATUSES
from amends.capa.choices import PeriodKind
from amends.capa.models import Action
from amends.capa.norms import NormRow, norm_status
from amends.capa.periods import Period
from amends.capa.selectors import visible_nonconformities
from amends.complaints.choices import Justification
from amends.complaints.models import Cause, Complaint, Measure
from amends.deadlines.models import Clock

from .charts import ChartData, Point, Series
from .filters import AnalyticsFilter
from .models.reviews import MonthlyReview, ReviewDecision
from .selectors import counted_complaints

LISTED_CARDS = 100  # overdue cards listed; the count says how many there are
OLDEST_OPEN = 10
TOP_CAUSES = 5
NO_CAUSE = "none"


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def month_shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_whole_month(today: date) -> date:
    return month_shift(month_start(today), -1)


def month_filter(month: date) -> AnalyticsFilter:
    return AnalyticsFilter(start=month, end=month_shift(month, 1) - timedelta(days=1))


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def parse_month(text: str) -> date:
    """"2026-11" → 1 November 2026; ValueError for anything else."""
    year, _dash, month = text.strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2):
        raise ValueError(text)
    return date(int(year), int(month), 1)


# --- the cards each figure counts (each a queryset, so a figure and its list never differ) -------------

def received_in(user: User, month: date) -> QuerySet[Complaint]:
    return counted_complaints(user, month_filter(month))


def _all_time(user: User, month: date) -> QuerySet[Complaint]:
    return counted_complaints(user, month_filter(month), period=False)


def _closed(month: date) -> Q:
    start, end = month_filter(month).bounds()
    return Q(closed_at__gte=start, closed_at__lt=end)


def _open_at_end(month: date) -> Q:
    """Received before the month's end and not closed by then."""
    _start, end = month_filter(month).bounds()
    return (Q(closed_at__isnull=True) | Q(closed_at__gte=end)) & Q(received_at__lt=end)


def _overdue_at_end(month: date) -> Q:
    """Open at the month's end with a deadline passed by then and not met: a clock someone had to meet
    (not met by registration, not stopped or paused by then), or a measure not reported by the end of
    its due day."""
    _start, end = month_filter(month).bounds()
    last_day = month_shift(month, 1) - timedelta(days=1)
    clocks = Clock.objects.filter(
        Q(met_at__isnull=True) | Q(met_at__gte=end), Q(stopped_at__isnull=True) | Q(stopped_at__gte=end),
        Q(paused_at__isnull=True) | Q(paused_at__gte=end),
        complaint=OuterRef("pk"), met_by_registration=False, due_at__lt=end,
    )
    measures = Measure.objects.filter(
        Q(done_at__isnull=True) | Q(done_at__gte=end), complaint=OuterRef("pk"), due_date__lt=last_day,
        created_at__lt=end,
    )
    return _open_at_end(month) & (Q(Exists(clocks)) | Q(Exists(measures)))


def closed_in(user: User, month: date) -> QuerySet[Complaint]:
    return _all_time(user, month).filter(_closed(month))


def open_at_end(user: User, month: date) -> QuerySet[Complaint]:
    return _all_time(user, month).filter(_open_at_end(month))


def overdue_at_end(user: User, month: date) -> QuerySet[Complaint]:
    return _all_time(user, month).filter(_overdue_at_end(month))


def clocks_of(user: User, month: date) -> QuerySet[Clock]:
    """The clocks of the cards received in the month that someone had to meet."""
    return Clock.objects.filter(
        complaint__in=received_in(user, month), met_by_registration=False, stopped_at__isnull=True,
    )


# --- the figures -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFigures:
    received: int
    justified: int
    partly: int
    unjustified: int
    undecided: int
    on_time: int  # clocks met by their due time
    late: int  # met after it, or not met and past it now (a paused clock waits, it is not late)
    closed: int
    open_at_end: int
    overdue_at_end: int

    @property
    def on_time_pct(self) -> float | None:
        measured = self.on_time + self.late
        return round(100 * self.on_time / measured, 1) if measured else None


def months_figures(user: User, months: list[date], now: datetime) -> list[MonthFigures]:
    """The figures of each month. Closed, open and overdue read every card (no index serves "closed
    after the month's end"), so they are counted for all the months in one pass over the table."""
    earliest, _end = month_filter(min(months)).bounds()
    # A card closed before the earliest month counts in none of them: one test drops most rows.
    cards = _all_time(user, months[0]).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=earliest))
    states = cards.aggregate(**{
        f"{name}_{index}": Count("pk", filter=condition(month))
        for index, month in enumerate(months)
        for name, condition in (("closed", _closed), ("open", _open_at_end), ("overdue", _overdue_at_end))
    })
    figures = []
    for index, month in enumerate(months):
        received = dict(received_in(user, month).values_list("justification").annotate(n=Count("pk")).order_by())
        clocks = clocks_of(user, month).aggregate(
            on_time=Count("pk", filter=Q(met_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(met_at__gt=F("due_at"))
                       | Q(met_at__isnull=True, paused_at__isnull=True, due_at__lt=now)),
        )
        figures.append(MonthFigures(
            received=sum(received.values()),
            justified=received.get(Justification.JUSTIFIED, 0),
            partly=received.get(Justification.PARTLY, 0),
            unjustified=received.get(Justification.UNJUSTIFIED, 0),
            undecided=sum(n for key, n in received.items() if key not in Justification.values),
            on_time=clocks["on_time"], late=clocks["late"],
            closed=states[f"closed_{index}"], open_at_end=states[f"open_{index}"],
            overdue_at_end=states[f"overdue_{index}"],
        ))
    return figures


def month_figures(user: User, month: date, now: datetime) -> MonthFigures:
    return months_figures(user, [month], now)[0]


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str | Promise
    unit: str  # "" a count of cards, "%" a share
    current: int | float | None
    previous: int | float | None  # the month before
    year_ago: int | float | None  # the same month a year before


FIGURES: tuple[tuple[str, str | Promise, str], ...] = (
    ("received", _("Received"), ""),
    ("justified", _("Justified"), ""),
    ("partly", _("Partly justified"), ""),
    ("unjustified", _("Unjustified"), ""),
    ("undecided", _("Justification not decided yet"), ""),
    ("on_time_pct", _("Deadlines met on time, %"), "%"),
    ("closed", _("Closed in the month"), ""),
    ("open_at_end", _("Open at the month's end"), ""),
    ("overdue_at_end", _("Overdue at the month's end"), ""),
)


def figure_rows(current: MonthFigures, previous: MonthFigures, year_ago: MonthFigures) -> list[FigureRow]:
    return [
        FigureRow(key, label, unit, getattr(current, key), getattr(previous, key), getattr(year_ago, key))
        for key, label, unit in FIGURES
    ]


@dataclass(frozen=True)
class CauseRow:
    key: str  # the cause's pk, or NO_CAUSE
    label: str | Promise
    count: int
    share_pct: float  # of the month's received cards
    cumulative_pct: float
    previous: int  # the month before


def top_causes(user: User, month: date) -> list[CauseRow]:
    """The Pareto chart's first bars: the causes of the month's cards, most first ("none" counts too)."""
    counts = dict(received_in(user, month).values_list("cause").annotate(n=Count("pk")).order_by())
    before = dict(received_in(user, month_shift(month, -1)).values_list("cause").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    names = {pk: cause.localized_name for pk, cause in Cause.objects.in_bulk([pk for pk in counts if pk]).items()}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, str(names.get(item[0], ""))))
    rows, running = [], 0
    for pk, n in ranked[:TOP_CAUSES]:
        running += n
        rows.append(CauseRow(
            key=str(pk) if pk is not None else NO_CAUSE, label=names[pk] if pk is not None else _("Cause not recorded"),
            count=n, share_pct=round(100 * n / total, 1), cumulative_pct=round(100 * running / total, 1),
            previous=before.get(pk, 0),
        ))
    return rows


def cause_cards(user: User, month: date, key: str) -> QuerySet[Complaint]:
    """The cards a top-cause row counts."""
    cards = received_in(user, month)
    return cards.filter(cause__isnull=True) if key == NO_CAUSE else cards.filter(cause_id=int(key))


@dataclass(frozen=True)
class ListedCard:
    complaint: Complaint  # with `responsible` loaded
    age_days: int  # at the month's end, since it was received


def listed(cards: QuerySet[Complaint], end: datetime, limit: int) -> list[ListedCard]:
    return [
        ListedCard(card, (end - card.received_at).days)
        for card in cards.select_related("responsible").order_by("received_at", "pk")[:limit]
    ]


# --- the meeting's decisions ---------------------------------------------------------------------------

DONE, OPEN, OVERDUE = "done", "open", "overdue"
STATUS_LABELS = {DONE: _("Done"), OPEN: pgettext_lazy("decision", "Open"), OVERDUE: _("Overdue")}


def decision_status(decision: ReviewDecision, today: date) -> str:
    if decision.done_at is not None:
        return DONE
    return OVERDUE if decision.due_date < today else OPEN


@dataclass(frozen=True)
class DecisionLine:
    decision: ReviewDecision
    status: str

    @property
    def status_label(self) -> str | Promise:
        return STATUS_LABELS[self.status]


def decision_lines(decisions: QuerySet[ReviewDecision], today: date) -> list[DecisionLine]:
    return [
        DecisionLine(decision, decision_status(decision, today))
        for decision in decisions.select_related("owner", "review").order_by("due_date", "pk")
    ]


def follow_up_decisions(month: date) -> QuerySet[ReviewDecision]:
    """What this meeting follows up: every decision of the month before, and any older one still open."""
    previous = month_shift(month, -1)
    return ReviewDecision.objects.filter(
        Q(review__month=previous) | Q(review__month__lt=previous, done_at__isnull=True),
    )


# --- the pack ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthlyPack:
    month: date
    now: datetime
    figures: list[FigureRow]
    overdue: list[ListedCard]
    overdue_total: int
    oldest_open: list[ListedCard]
    causes: list[CauseRow]
    norms_period: Period  # the year to the month's end
    norms: list[NormRow]
    actions: list[Action]  # open corrective and preventive actions, the earliest due first
    review: MonthlyReview | None
    decisions: list[DecisionLine]  # taken at this month's meeting
    follow_up: list[DecisionLine]

    @property
    def key(self) -> str:
        return month_key(self.month)

    @property
    def last_day(self) -> date:
        return month_shift(self.month, 1) - timedelta(days=1)

    @property
    def previous_month(self) -> date:
        return month_shift(self.month, -1)

    @property
    def year_ago_month(self) -> date:
        return month_shift(self.month, -12)

    @property
    def next_key(self) -> str | None:
        """None while the next month has not begun."""
        following = month_shift(self.month, 1)
        return month_key(following) if following <= timezone.localdate(self.now) else None

    @property
    def empty(self) -> bool:
        """Nothing received, closed or open in the month: the pack says so instead of a table of zeros."""
        current = {row.key: row.current for row in self.figures}
        return not (current["received"] or current["closed"] or current["open_at_end"])

    @property
    def figures_chart(self) -> ChartData:
        """The month's card counts beside the month before and a year before (the shares stay in the table)."""
        keys = [(key, month_key(month)) for key, month in (
            ("current", self.month), ("previous", self.previous_month), ("year_ago", self.year_ago_month),
        )]
        return ChartData(
            key="monthly_figures", title=_("The month against the month before and a year before"), kind="bars",
            series=[Series(key, label, drillable=False) for key, label in keys],
            points=[Point(row.key, row.label, {key: getattr(row, key) for key, _label in keys})
                    for row in self.figures if not row.unit],
        )

    @property
    def causes_chart(self) -> ChartData:
        return ChartData(
            key="monthly_causes", title=_("Top causes"), kind="pareto", mark=80,
            series=[Series("cards", _("Cards"), drillable=False),
                    Series("cumulative", _("Cumulative share"), unit="%", drillable=False)],
            points=[Point(row.key, row.label, {"cards": row.count, "cumulative": row.cumulative_pct})
                    for row in self.causes],
        )

    @property
    def overdue_actions(self) -> int:
        today = timezone.localdate(self.now)
        return sum(1 for action in self.actions if action.due_date < today)


def monthly_pack(user: User, month: date, now: datetime | None = None) -> MonthlyPack:
    """The pack of `month` (its first day) for a user who sees the analysis, as it stands at `now`."""
    now = now or timezone.now()
    month = month_start(month)
    _start, end = month_filter(month).bounds()
    current, previous, year_ago = months_figures(user, [month, month_shift(month, -1), month_shift(month, -12)], now)
    following = month_shift(month, 1)
    today = timezone.localdate(now)
    return MonthlyPack(
        month=month, now=now,
        figures=figure_rows(current, previous, year_ago),
        overdue=listed(overdue_at_end(user, month), end, LISTED_CARDS),
        overdue_total=current.overdue_at_end,
        oldest_open=listed(open_at_end(user, month), end, OLDEST_OPEN),
        causes=top_causes(user, month),
        norms_period=(norms_period := Period(PeriodKind.YEAR, date(month.year, 1, 1), following)),
        norms=norm_status(norms_period),
        actions=list(
            Action.objects.filter(status__in=OPEN_STATUSES, nonconformity__in=visible_nonconformities(user))
            .select_related("nonconformity", "owner").order_by("due_date", "pk")
        ),
        review=MonthlyReview.objects.filter(month=month).first(),
        decisions=decision_lines(ReviewDecision.objects.filter(review__month=month), today),
        follow_up=decision_lines(follow_up_decisions(month), today),
    )
