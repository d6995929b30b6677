"""The figures' base: the responses of a period and segment, and their K and loyalty summed up.

K of a group (a customer, a segment, a period) is the mean of its responses' K: each questionnaire
is one customer's weighted mean (scoring.py), and each counts once. The loyalty shares are of the
responses that answered the question; the norms (complaints.choices) are compared exactly."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from amends.complaints.choices import LEAVING_NORM, NOT_RECOMMENDING_NORM

from .models import Response
from .models.policy import policy


@dataclass(frozen=True)
class Segment:
    """A slice of the customers (DOMAIN.md §8: organisation type, product, region); None: any."""

    organisation_kind: str | None = None
    region: str | None = None
    product_id: int | None = None

    def apply(self, responses: QuerySet[Response]) -> QuerySet[Response]:
        if self.organisation_kind is not None:
            responses = responses.filter(organisation_kind=self.organisation_kind)
        if self.region is not None:
            responses = responses.filter(region=self.region)
        if self.product_id is not None:
            responses = responses.filter(product_id=self.product_id)
        return responses


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def responses_in(
    start: date | None = None, end: date | None = None, segment: Segment | None = None,
) -> QuerySet[Response]:
    """The responses answered from `start` to `end` (days in the company's time zone, both included)."""
    responses = Response.objects.all()
    if start is not None:
        responses = responses.filter(received_at__gte=day_start(start))
    if end is not None:
        responses = responses.filter(received_at__lt=day_start(end + timedelta(days=1)))
    return segment.apply(responses) if segment is not None else responses


@dataclass(frozen=True)
class KSummary:
    responses: int
    k: Decimal | None  # the mean K, two places; None without responses
    below_threshold: int  # responses with K under the policy's threshold
    asked_recommend: int  # responses that answered "would you recommend us?"
    not_recommending: int
    asked_continue: int
    leaving: int

    @property
    def not_recommending_share(self) -> Decimal | None:
        return _share(self.not_recommending, self.asked_recommend)

    @property
    def leaving_share(self) -> Decimal | None:
        return _share(self.leaving, self.asked_continue)

    @property
    def recommending_norm_breached(self) -> bool:
        return 100 * self.not_recommending > NOT_RECOMMENDING_NORM * self.asked_recommend

    @property
    def leaving_norm_breached(self) -> bool:
        return 100 * self.leaving > LEAVING_NORM * self.asked_continue


def _share(part: int, whole: int) -> Decimal | None:
    """Per cent, one place; None when nobody answered."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def k_summary(responses: QuerySet[Response], threshold: Decimal | None = None) -> KSummary:
    """The group's K and loyalty in one query."""
    threshold = policy().k_threshold if threshold is None else threshold
    row = responses.aggregate(
        count=Count("pk"), mean_k=Avg("k"), below=Count("pk", filter=Q(k__lt=threshold)),
        asked_recommend=Count("pk", filter=Q(recommends__isnull=False)),
        not_recommending=Count("pk", filter=Q(recommends=False)),
        asked_continue=Count("pk", filter=Q(continues__isnull=False)),
        leaving=Count("pk", filter=Q(continues=False)),
    )
    k = None if row["mean_k"] is None else Decimal(str(row["mean_k"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return KSummary(
        responses=row["count"], k=k, below_threshold=row["below"], asked_recommend=row["asked_recommend"],
        not_recommending=row["not_recommending"], asked_continue=row["asked_continue"], leaving=row["leaving"],
    )
