"""Reads for the card, the list and "my deadlines". Measures' due dates are the resolution clock:
a measure not reported by the end of its due day is breached."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.access import PROCESS_OWNERS
from amends.accounts.models import User
from amends.complaints.choices import FINAL_STATES, OPEN_STATES
from amends.complaints.models import Complaint, Measure
from amends.complaints.transitions import may_take_on_every_card

from .calendar import time_between
from .choices import ClockStatus
from .models import RUNNING, TICKING, Clock, CustomerWait
from .policies import policy_table
from .services import calendar_rules

RESOLUTION_LABEL = _("Measure: %(measure)s")


@dataclass(frozen=True)
class Deadline:
    """One line of a card's deadlines, or of someone's list."""

    label: str | Promise
    due_at: datetime
    # Negative when breached; None once met or stopped. Counted in the clock's basis.
    time_left: timedelta | None
    status: str
    complaint: Complaint | None = None
    clock: Clock | None = None
    measure: Measure | None = None
    # A deadline of something other than a card (another app's, registered below): where to see it
    # and what it is, e.g. a nonconformity's number and title.
    url: str = ""
    subject: str = ""
    # Due by the end of this day (a date, not a moment): shown as the date.
    day: date | None = None

    @property
    def status_label(self) -> str | Promise:
        return ClockStatus(self.status).label


def end_of_day(day: date) -> datetime:
    """A measure due on a day is due when that day ends, in the company's time zone."""
    # The company's zone, not the reader's: else the same measure fell due at another moment for each user.
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())


def clock_status(clock: Clock, now: datetime) -> str:
    if clock.met_at is not None:
        return ClockStatus.MET
    if clock.stopped_at is not None:
        return ClockStatus.STOPPED
    if clock.paused_at is not None:
        return ClockStatus.PAUSED
    if clock.due_at <= now:
        return ClockStatus.BREACHED
    return ClockStatus.AT_RISK if clock.at_risk_at <= now else ClockStatus.ON_TRACK


def clock_deadline(clock: Clock, now: datetime, complaint: Complaint | None = None) -> Deadline:
    status, left = clock_status(clock, now), None
    if status in (ClockStatus.ON_TRACK, ClockStatus.AT_RISK, ClockStatus.BREACHED, ClockStatus.PAUSED):
        _table, rules = calendar_rules(policy_table(), clock.calendar_id)
        # A paused clock keeps the time it had left when the wait began.
        counted_from = clock.paused_at or now
        if clock.due_at > counted_from:
            left = time_between(counted_from, clock.due_at, clock.basis, rules)
        else:
            left = -time_between(clock.due_at, counted_from, clock.basis, rules)
    return Deadline(clock.get_kind_display(), clock.due_at, left, status, complaint=complaint, clock=clock)


def measure_deadline(measure: Measure, now: datetime, complaint: Complaint | None = None) -> Deadline:
    due = end_of_day(measure.due_date)
    label = RESOLUTION_LABEL % {"measure": measure.description[:80]}
    if measure.done_at is not None:
        return Deadline(label, due, None, ClockStatus.MET, complaint=complaint, measure=measure)
    allowance = due - measure.created_at
    if due <= now:
        status = ClockStatus.BREACHED
    elif now >= measure.created_at + allowance * 3 / 4:
        status = ClockStatus.AT_RISK
    else:
        status = ClockStatus.ON_TRACK
    return Deadline(label, due, due - now, status, complaint=complaint, measure=measure)


def card_clocks_prefetch(complaint: Complaint) -> None:
    """The card's clocks (with their policies) and measures, read once for the card page's panels that
    each list them (deadlines, compensation's statutory penalty) through card_clocks."""
    prefetch_related_objects(
        [complaint], Prefetch("clocks", queryset=Clock.objects.select_related("policy")), "measures",
    )


def card_clocks(complaint: Complaint, now: datetime | None = None) -> list[Deadline]:
    """Every clock of the card and every measure of it, the nearest due first."""
    now = now or timezone.now()
    deadlines = [clock_deadline(clock, now) for clock in complaint.clocks.all()]
    if complaint.state not in FINAL_STATES:
        deadlines += [measure_deadline(measure, now) for measure in complaint.measures.all()]
    return sorted(deadlines, key=lambda d: d.due_at)


def annotate_nearest_due(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """`nearest_due`: the due time of the card's earliest ticking clock (None when none ticks)."""
    nearest = Clock.objects.filter(TICKING, complaint=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    return queryset.annotate(nearest_due=Subquery(nearest))


def due_page_keys(items: QuerySet[Complaint], descending: bool, then: tuple, bottom: int, top: int) -> list[int]:
    """The keys from `bottom` to `top` of the list sorted by the nearest due time (cards without a ticking
    clock last, either way), then by `then`: the cards with a ticking clock read off the ticking clocks'
    due index, each at its earliest clock, then the others in `then`'s order. Sorting the list by each
    card's nearest due time instead computed it for every card (8 s at a million)."""
    earlier = Clock.objects.filter(TICKING, complaint=OuterRef("complaint")).filter(
        Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk")))
    nearest = Clock.objects.filter(TICKING).filter(
        Exists(items.order_by().filter(pk=OuterRef("complaint_id"))), ~Exists(earlier))
    on_card = [("-" if term.startswith("-") else "") + "complaint__" + term.lstrip("-") for term in then]
    keys = list(nearest.order_by("-due_at" if descending else "due_at", *on_card)
                .values_list("complaint_id", flat=True)[bottom:top])
    if len(keys) == top - bottom:
        return keys
    # Past the cards with a ticking clock: how many there are, then the others from the right place.
    ticking = bottom + len(keys) if keys else nearest.order_by().values("pk")[:bottom].count()
    offset = max(bottom - ticking, 0)
    without = items.filter(~Exists(Clock.objects.filter(TICKING, complaint=OuterRef("pk"))))
    return keys + list(without.order_by(*then).values_list("pk", flat=True)[offset:offset + top - bottom - len(keys)])


def annotate_list_clocks(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The list's due column: the nearest due time of a ticking clock, the earliest at-risk time
    (a card is at risk once any clock is), and whether the card waits for the customer (its
    clocks paused)."""
    at_risk = Clock.objects.filter(TICKING, complaint=OuterRef("pk")).order_by("at_risk_at").values("at_risk_at")
    waiting = CustomerWait.objects.filter(complaint=OuterRef("pk"), ended_at__isnull=True)
    return annotate_nearest_due(queryset).annotate(nearest_at_risk=Subquery(at_risk[:1]), waiting=Exists(waiting))


def filter_deadline_status(queryset: QuerySet[Complaint], status: str, now: datetime | None = None) -> QuerySet:
    """Cards with a ticking clock of their own at risk, or breached. Measures have a filter of their
    own ("Measure overdue", complaints.forms), so that each filter says what it looks at."""
    now = now or timezone.now()
    # The cards are found from the few ticking clocks (their partial indexes), not by asking each card.
    clocks = Clock.objects.filter(TICKING)
    if status == ClockStatus.BREACHED:
        # The open states named, not the final ones excluded: PostgreSQL reads a NOT IN by scanning
        # every card (300 ms at a million), an IN off the state index (80 ms).
        return queryset.filter(state__in=OPEN_STATES).filter(
            pk__in=clocks.filter(due_at__lte=now).values("complaint_id"))
    if status == ClockStatus.AT_RISK:
        return queryset.filter(pk__in=clocks.filter(at_risk_at__lte=now, due_at__gt=now).values("complaint_id"))
    raise ValueError(f"Filter by at_risk or breached, not {status!r}.")


MyDeadlinesSource = Callable[[User, datetime], list[Deadline]]
MY_DEADLINES_SOURCES: list[MyDeadlinesSource] = []


def register_my_deadlines_source(source: MyDeadlinesSource) -> None:
    """Add another app's running deadlines of a user to "My deadlines" (from its AppConfig.ready()),
    so that this app need not know the apps above it. Registering the same function again is a no-op."""
    if source not in MY_DEADLINES_SOURCES:
        MY_DEADLINES_SOURCES.append(source)


def my_deadlines(user: User, now: datetime | None = None) -> list[Deadline]:
    """The running clocks of the open cards the user is responsible for, the measures they carry
    out that are not reported, and the registered sources' deadlines, the nearest due first."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(RUNNING, complaint__responsible=user).exclude(
        complaint__state__in=FINAL_STATES,
    ).select_related("complaint")
    measures = Measure.objects.filter(executor=user, done_at__isnull=True).exclude(
        complaint__state__in=FINAL_STATES,
    ).select_related("complaint")
    deadlines = [clock_deadline(c, now, complaint=c.complaint) for c in clocks]
    deadlines += [measure_deadline(m, now, complaint=m.complaint) for m in measures]
    deadlines += [deadline for source in MY_DEADLINES_SOURCES for deadline in source(user, now)]
    return sorted(deadlines, key=lambda d: d.due_at)


def my_messages_after_answer(user: User) -> QuerySet[Complaint]:
    """Answered or closed cards whose customer wrote since and that wait for a decision (reopen or
    keep closed): those the user is responsible for, and every one for the heads of the QMS. The
    longest waiting first."""
    cards = Complaint.objects.filter(message_after_answer_at__isnull=False)
    if not user.has_role(*PROCESS_OWNERS):
        cards = cards.filter(responsible=user)
    return cards.select_related("message_after_answer").order_by("message_after_answer_at", "pk")
@dataclass(frozen=True)
class Unassigned:
    """An open card nobody is responsible for yet, with its nearest running deadline (None: none runs)."""

    complaint: Complaint
    deadline: Deadline | None


def unassigned_cards(user: User, now: datetime | None = None) -> list[Unassigned]:
    """For those who assign responsible persons (the head of the QMS): the open cards without one,
    the oldest first; nobody else is given any."""
    if not may_take_on_every_card(user, "assign"):
        return []
    now = now or timezone.now()
    cards = Complaint.objects.filter(responsible__isnull=True).exclude(state__in=FINAL_STATES).prefetch_related(
        Prefetch("clocks", queryset=Clock.objects.filter(RUNNING).order_by("due_at"), to_attr="running_clocks"),
    ).order_by("received_at", "pk")
    return [
        Unassigned(card, clock_deadline(card.running_clocks[0], now, complaint=card) if card.running_clocks else None)
        for card in cards
    ]
