"""Reads of complaints that depend on the user: permission filtering lives here, once."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from amends.customers.selectors import phone_matches
from amends.deadlines.models import TICKING, Clock, CustomerWait
from amends.deadlines.selectors import annotate_nearest_due, filter_deadline_status

from .access import relations_filter
from .choices import FINAL_STATES, Importance, State
from .models import Complaint, Measure

SORTS = {
    "received": "received_at", "-received": "-received_at",
    "number": "number", "-number": "-number",
    "state": "state_rank", "-state": "-state_rank",
    "importance": "importance_rank", "-importance": "-importance_rank",
    # Cards without a ticking clock come last either way.
    "due": F("nearest_due").asc(nulls_last=True), "-due": F("nearest_due").desc(nulls_last=True),
}


def complaints_visible_to(user) -> QuerySet[Complaint]:
    return Complaint.objects.filter(relations_filter(user))


@dataclass
class ComplaintFilter:
    state: str = ""
    channel: str = ""
    category: int | None = None
    importance: str = ""
    responsible: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    overdue: bool = False
    deadline: str = ""  # "", "at_risk" or "breached"
    q: str = ""
    sort: str = "-received"


def _overdue_condition() -> Q:
    """Open cards with a measure past its due date (the full deadline clocks come with SLA)."""
    late_measure = Measure.objects.filter(
        complaint=OuterRef("pk"), done_at__isnull=True, due_date__lt=timezone.localdate()
    )
    return Exists(late_measure) & ~Q(state__in=FINAL_STATES)


STATE_RANK = Case(
    *(When(state=value, then=Value(rank)) for rank, value in enumerate(State.values)),
    output_field=IntegerField(),
)
IMPORTANCE_RANK = Case(
    *(When(importance=value, then=Value(rank)) for rank, value in enumerate(Importance.values)),
    output_field=IntegerField(),
)


def complaint_list(user, filters: ComplaintFilter) -> QuerySet[Complaint]:
    qs = complaints_visible_to(user).select_related(
        "contact", "organisation", "category", "category__parent", "responsible",
    )
    exact = {
        "state": filters.state, "channel": filters.channel, "importance": filters.importance,
        "responsible_id": filters.responsible,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    if filters.category:
        qs = qs.filter(Q(category_id=filters.category) | Q(category__parent_id=filters.category))
    if filters.received_from:
        qs = qs.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_at__date__lte=filters.received_to)
    if filters.overdue:
        qs = qs.filter(_overdue_condition())
    if filters.deadline:
        qs = filter_deadline_status(qs, filters.deadline)
    if term := filters.q.strip():
        condition = (
            Q(number__icontains=term) | Q(wording__icontains=term)
            | Q(contact__full_name__icontains=term) | Q(organisation__name__icontains=term)
            | Q(contact__email__icontains=term) | Q(order_reference__icontains=term)
        )
        if (phone := phone_matches(term, field="contact__phone_digits", min_digits=5)) is not None:
            condition |= phone
        qs = qs.filter(condition)
    qs = _annotate_deadlines(qs).annotate(importance_rank=IMPORTANCE_RANK, state_rank=STATE_RANK)
    return qs.order_by(SORTS.get(filters.sort, "-received_at"), "-pk")


def _annotate_deadlines(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The list's due column: the nearest due time of a ticking clock, the earliest at-risk time
    (a card is at risk once any clock is), whether a measure is past its due date, and whether
    the card waits for the customer (its clocks paused)."""
    at_risk = Clock.objects.filter(TICKING, complaint=OuterRef("pk")).order_by("at_risk_at").values("at_risk_at")
    late_measure = Measure.objects.filter(
        complaint=OuterRef("pk"), done_at__isnull=True, due_date__lt=timezone.localdate(),
    )
    waiting = CustomerWait.objects.filter(complaint=OuterRef("pk"), ended_at__isnull=True)
    return annotate_nearest_due(qs).annotate(
        nearest_at_risk=Subquery(at_risk[:1]), measure_overdue=Exists(late_measure), waiting=Exists(waiting),
    )


def complaint_get(user, number: str) -> Complaint:
    """One card as this user may see it, with what its page shows; DoesNotExist otherwise."""
    return complaints_visible_to(user).select_related(
        "contact", "organisation", "product", "component", "supplier", "category",
        "category__parent", "cause", "responsible", "registered_by", "department_concerned",
        "duplicate_of",
    ).get(number=number)
