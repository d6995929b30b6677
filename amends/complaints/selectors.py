"""Reads of complaints that depend on the user: permission filtering lives here, once."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise

from amends.accounts.models import User

from .access import personal_filter, relations_filter
from .choices import FINAL_STATES, Importance, Signatory, State
from .list_page import ANNOTATIONS, FILTERS, RANKED_SORTS, SORTS
from .models import Category, Complaint, Measure, SavedFilter, SignOff
from .search_index import complaints_matching, search_rank


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
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
    mine: bool = False  # only the cards tied to the user themselves (access.personal_filter)
    q: str = ""
    sort: str = "-received"
    # Duplicates and withdrawn cards are no complaints to handle; the web list leaves them out
    # unless asked for them or for their state.
    set_aside: bool = True
    # Values of the filters other apps registered (list_page.register_list_filter), by name.
    extra: dict[str, Any] = field(default_factory=dict)


def _measure_overdue() -> Exists:
    """A measure not done past its due date (the list's "measure overdue" mark)."""
    late_measure = Measure.objects.filter(
        complaint=OuterRef("pk"), done_at__isnull=True, due_date__lt=timezone.localdate(),
    )
    return Exists(late_measure)


def _overdue_condition() -> Q:
    """Open cards with a measure past its due date: found from the few measures not done, not by
    looking at every card."""
    late_cards = Measure.objects.filter(done_at__isnull=True, due_date__lt=timezone.localdate()).values("complaint_id")
    return Q(pk__in=late_cards) & ~Q(state__in=FINAL_STATES)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


STATE_RANK = Case(
    *(When(state=value, then=Value(rank)) for rank, value in enumerate(State.values)),
    output_field=IntegerField(),
)
IMPORTANCE_RANK = Case(
    *(When(importance=value, then=Value(rank)) for rank, value in enumerate(Importance.values)),
    output_field=IntegerField(),
)


SET_ASIDE_STATES = (State.DUPLICATE, State.WITHDRAWN)


def complaint_list(user: User, filters: ComplaintFilter) -> QuerySet[Complaint]:
    qs = _complaints_filtered(user, filters)
    if not filters.set_aside and not filters.state:
        qs = qs.exclude(state__in=SET_ASIDE_STATES)
    order = SORTS.get(filters.sort, "-received_at")
    # A rank is shared by many cards: the newest first among them, as the rank's indexes hold them.
    then = ("-received_at", "-pk") if str(order).lstrip("-") in RANKED_SORTS else ("-pk",)
    return _own_columns(qs).order_by(order, *then)


def complaint_list_short(filters: ComplaintFilter) -> bool:
    """Whether the list holds a search's best matches only (AMENDS_SEARCH_RESULTS at most), whatever
    the number of cards: list_page.BoundedPaginator's `short`."""
    return bool(filters.q.strip())


def complaint_list_rows(user: User, keys: list[int]) -> dict[int, Complaint]:
    """The cards of one page of the list by key, with what its columns show: the filters chose the
    keys already (list_page.BoundedPaginator), so they are not evaluated again."""
    return _own_columns(_annotated(_with_related(complaints_visible_to(user)))).order_by().in_bulk(keys)


def _own_columns(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return qs.annotate(measure_overdue=_measure_overdue(), importance_rank=IMPORTANCE_RANK, state_rank=STATE_RANK)


def _with_related(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return qs.select_related("contact", "organisation", "category", "category__parent", "responsible")


def _annotated(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Other apps' annotations (list_page.register_list_annotation)."""
    for annotate in ANNOTATIONS.values():
        qs = annotate(qs)
    return qs


def complaint_list_set_aside(user: User, filters: ComplaintFilter) -> dict[str, int]:
    """How many duplicates and withdrawn cards match the other filters, by state (each state there);
    empty when a state is asked for, since the list then shows what was asked."""
    if filters.state:
        return {}
    qs = _complaints_filtered(user, filters).filter(state__in=SET_ASIDE_STATES)
    counts = dict(qs.values_list("state").annotate(n=Count("*")).order_by())  # "*": the index alone
    return {state: counts.get(state, 0) for state in SET_ASIDE_STATES}


def _complaints_filtered(user: User, filters: ComplaintFilter) -> QuerySet[Complaint]:
    qs = _with_related(complaints_visible_to(user))
    exact = {
        "state": filters.state, "channel": filters.channel, "importance": filters.importance,
        "responsible_id": filters.responsible,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    if filters.category:
        # The category and its subcategories by their keys, read first: no join, and the planner sees
        # how few they are, so the category index serves the filter.
        qs = qs.filter(category_id__in=list(Category.objects.filter(
            Q(pk=filters.category) | Q(parent_id=filters.category)).values_list("pk", flat=True)))
    # Days in the reader's time zone as a range of moments, which the received_at indexes serve.
    if filters.received_from:
        qs = qs.filter(received_at__gte=_day_start(filters.received_from))
    if filters.received_to:
        qs = qs.filter(received_at__lt=_day_start(filters.received_to + timedelta(days=1)))
    if filters.overdue:
        qs = qs.filter(_overdue_condition())
    if filters.mine:
        qs = qs.filter(personal_filter(user))
    qs = _annotated(qs)  # before the filters and sorts that read them
    for name, value in filters.extra.items():
        if value and name in FILTERS:
            qs = FILTERS[name].apply(qs, value)
    # The full-text search: its best matches (amends.search), ranked for the sort "relevance".
    if term := filters.q.strip():
        found = complaints_matching(term, limit=settings.AMENDS_SEARCH_RESULTS)
        qs = qs.filter(pk__in=found).annotate(search_rank=search_rank(found))
    else:
        qs = qs.annotate(search_rank=Value(0))
    return qs


def complaint_get(user: User, number: str) -> Complaint:
    """One card as this user may see it, with what its page shows; DoesNotExist otherwise.
    The references often empty (component, supplier, cause, department, original) are read when set, a
    query each: PostgreSQL took longer to plan the join of all twelve than those queries take."""
    return complaints_visible_to(user).select_related(
        "contact", "organisation", "product", "category", "category__parent", "responsible", "registered_by",
    ).get(number=number)


# Hooks that may create the card of a number asked for before it exists (intake registers a card still
# waiting in its pipeline); each returns True when it did.
MISSING_CARD_HOOKS: list[Callable[[str], bool]] = []


def register_missing_card_hook(hook: Callable[[str], bool]) -> None:
    if hook not in MISSING_CARD_HOOKS:
        MISSING_CARD_HOOKS.append(hook)


def complaint_get_or_registered(user: User, number: str) -> Complaint:
    """complaint_get, after letting the missing-card hooks register a card of that number that is
    still on its way; DoesNotExist as complaint_get when there is none."""
    try:
        return complaint_get(user, number)
    except Complaint.DoesNotExist:
        if not any(hook(number) for hook in MISSING_CARD_HOOKS):
            raise
    return complaint_get(user, number)


def saved_filters(user: User) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user)


def card_print_context(complaint: Complaint) -> dict[str, Any]:
    """What the card's print layout shows (complaints/print.html): the page and its PDF both use it."""
    measures = complaint.measures.select_related("executor", "approved_by")
    return {
        "complaint": complaint,
        "measures": measures,
        "signatures": _signatures(complaint),
        "executors": sorted({m.executor for m in measures}, key=str),
    }


def _signatures(complaint: Complaint) -> list[tuple[str, str | Promise, SignOff | None]]:
    """Each signatory of the card with their sign-off, if given."""
    signed = {s.signatory: s for s in complaint.sign_offs.select_related("signed_by")}
    return [(signatory, label, signed.get(signatory)) for signatory, label in Signatory.choices]
