"""The surveys' figures for the reports, the analysis and the API: K by criterion (the score ×
importance matrix), by quarter, by segment and by customer, and the suggestions collected.

Means are exact (summed in SQL as integers, divided as fractions) and rounded half up to two places
only at the end. A criterion is the same across versions when its key is: "reliability" of v1 and v2
count together, named as the latest version names it."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import Case, CharField, Count, F, Max, Min, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.capa.choices import PeriodKind
from amends.capa.periods import period_of
from amends.customers.models import OrganisationKind, Product

from .models import Criterion, Response
from .models.policy import policy
from .selectors import (
    KSummary,
    Segment,
    day_start,
    half_up,
    k_summary,
    k_units,
    mean_k,
    responses_in,
    summary_aggregates,
    summary_of,
)

PRIORITY_IMPORTANCE = 8  # the seeds' "high" importance band starts at 8


@dataclass
class CriterionRow:
    """One criterion over the responses that rated it: the means of its score, importance, weight
    (per cent) and k (its contribution to K), two places."""

    key: str
    name: str
    responses: int
    score: Decimal
    importance: Decimal
    weight: Decimal
    contribution: Decimal
    priority: bool  # matters most (importance 8 or more) and scores worst (below the K threshold)


def criterion_matrix(responses: QuerySet[Response], threshold: Decimal | None = None) -> list[CriterionRow]:
    """The criteria rated in `responses`, the priority ones first, then by importance (highest first);
    two queries whatever the number of responses."""
    threshold = policy().k_threshold if threshold is None else threshold
    # Grouped by the response's Σ importance too, so that each weight (importance / Σ) sums exactly.
    # Read from the responses' side joined to their answers, by criterion id: no IN (subquery) and no
    # join to the criteria per answer (the sort of the grouped rows is the rest of the cost).
    if responses.query.distinct or len(responses.query.alias_map) > 1:  # joined already: join once more, safely
        responses = Response.objects.filter(pk__in=responses.order_by().values("pk"))
    groups = list(
        responses.order_by().filter(answers__isnull=False).values("answers__criterion_id", "importance_sum")
        .annotate(rated=Count("answers"), scores=Sum("answers__score"), importances=Sum("answers__importance"),
                  weighted=Sum(F("answers__score") * F("answers__importance")))
    )
    keys, names = _criteria_keys_and_names({group["answers__criterion_id"] for group in groups})
    totals: dict[str, dict] = defaultdict(lambda: {"rated": 0, "scores": 0, "importances": 0,
                                                     "weight": Fraction(0), "k": Fraction(0)})
    for group in groups:
        total, whole = totals[keys[group["answers__criterion_id"]]], group["importance_sum"]
        total["rated"] += group["rated"]
        total["scores"] += group["scores"]
        total["importances"] += group["importances"]
        total["weight"] += Fraction(100 * group["importances"], whole)
        total["k"] += Fraction(group["weighted"], whole)
    rows = []
    for key, total in totals.items():
        rated = total["rated"]
        score, importance = Fraction(total["scores"], rated), Fraction(total["importances"], rated)
        rows.append(CriterionRow(
            key=key, name=names.get(key, key), responses=rated, score=half_up(score),
            importance=half_up(importance), weight=half_up(total["weight"] / rated),
            contribution=half_up(total["k"] / rated),
            priority=importance >= PRIORITY_IMPORTANCE and score < Fraction(threshold),
        ))
    return sorted(rows, key=lambda row: (not row.priority, -row.importance, row.name))


def _criteria_keys_and_names(ids: set[int]) -> tuple[dict[int, str], dict[str, str]]:
    """In one query: the key of each criterion id, and each such key's name in the latest published
    version that has it (a draft's only when none is)."""
    if not ids:
        return {}, {}
    criteria = Criterion.objects.filter(key__in=Criterion.objects.filter(pk__in=ids).values("key")).order_by(
        F("version__published_at").asc(nulls_first=True), "version__number", "pk",
    )
    keys: dict[int, str] = {}
    names: dict[str, str] = {}
    for criterion in criteria:
        keys[criterion.pk] = criterion.key
        names[criterion.key] = criterion.localized_name
    return keys, names


def quarter_key(day: date) -> str:
    """The quarter's key, as the surveys key quarters everywhere: "2026-Q1"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class QuarterRow:
    key: str
    start: date  # the quarter's first day, or the range's start when it begins inside the quarter
    end: date  # the quarter's last day (inclusive), or the range's end
    summary: KSummary


def quarters(start: date, end: date) -> list[tuple[str, date, date]]:
    """Every quarter touching start..end (both included), clipped to it: (key, first day, last day)."""
    found = []
    day = start
    while day <= end:
        quarter = period_of(PeriodKind.QUARTER, day)
        last = min(quarter.end - timedelta(days=1), end)
        found.append((quarter_key(day), day, last))
        day = quarter.end
    return found


def by_quarter(start: date, end: date, segment: Segment | None = None) -> list[QuarterRow]:
    """K and loyalty of each quarter touching the range, quarters without answers included; a quarter
    the range cuts counts only the days inside the range."""
    threshold = policy().k_threshold
    return [
        QuarterRow(key, first, last, k_summary(responses_in(first, last, segment), threshold))
        for key, first, last in quarters(start, end)
    ]


DIMENSIONS = {"organisation_kind": _("Type of organisation"), "region": _("Region"), "product": _("Product")}


def by_segment(responses: QuerySet[Response], dimension: str) -> list[tuple[str, str, KSummary]]:
    """K and loyalty per organisation kind, region or product (key, label, summary), in one query;
    the responses whose segment is not known come last, keyed ""."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"No segment dimension {dimension!r}.")
    column = "product_id" if dimension == "product" else dimension
    rows = responses.order_by().values(column).annotate(**summary_aggregates(policy().k_threshold))
    labels = _segment_labels(dimension, [row[column] for row in rows])
    unknown = str(_("Not known"))
    found = [
        (str(row[column]) if row[column] else "", labels.get(row[column], unknown), summary_of(row)) for row in rows
    ]
    return sorted(found, key=lambda row: (not row[0], row[1].casefold()))


def _segment_labels(dimension: str, keys: list) -> dict:
    if dimension == "organisation_kind":
        return {key: str(OrganisationKind(key).label) for key in keys if key}
    if dimension == "product":
        return {product.pk: product.localized_name for product in Product.objects.filter(pk__in=[k for k in keys if k])}
    return {key: key for key in keys if key}


def k_by_customer(responses: QuerySet[Response]) -> dict[int, Decimal]:
    """Each customer's mean K (contact id → two places), in one grouped query."""
    rows = responses.order_by().values("contact_id").annotate(count=Count("pk"), units=k_units())
    return {row["contact_id"]: mean_k(row["units"], row["count"]) for row in rows}  # type: ignore[misc]


def k_by_customer_quarter(responses: QuerySet[Response]) -> dict[tuple[int, str], Decimal]:
    """Each customer's mean K per quarter of the company's calendar ((contact id, "2026-Q1") → two places).
    The quarter is told by comparing the answer's time with the quarters' first moments (a CASE the
    database runs natively), not by converting each time to the company's zone row by row."""
    span = responses.aggregate(first=Min("received_at"), last=Max("received_at"))
    if span["first"] is None:
        return {}
    spans = quarters(timezone.localdate(span["first"]), timezone.localdate(span["last"]))
    quarter = Case(
        *[When(received_at__lt=day_start(last + timedelta(days=1)), then=Value(key)) for key, _first, last in spans],
        default=Value(spans[-1][0]), output_field=CharField(),
    )
    rows = (
        responses.order_by().annotate(quarter=quarter)
        .values("contact_id", "quarter").annotate(count=Count("pk"), units=k_units())
    )
    return {(row["contact_id"], row["quarter"]): mean_k(row["units"], row["count"]) for row in rows}  # type: ignore[misc]


def suggestions(responses: QuerySet[Response]) -> QuerySet[Response]:
    """The responses with a suggestion, newest first."""
    return responses.exclude(suggestion="").select_related("contact", "contact__organisation").order_by(
        "-received_at", "-pk",
    )


def default_range(today: date) -> tuple[date, date]:
    """The last four whole quarters and the current one, to today."""
    start = period_of(PeriodKind.QUARTER, today).start
    for _quarter in range(4):
        start = period_of(PeriodKind.QUARTER, start - timedelta(days=1)).start
    return start, today


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date
    segment: Segment = field(default_factory=Segment)

    def responses(self) -> QuerySet[Response]:
        return responses_in(self.start, self.end, self.segment)
