"""The loyalty norms (DOMAIN.md §8): at most 2 in 10 customers refuse to recommend the company and at
most 3 in 10 refuse to keep working with it (complaints.choices), per quarter and per segment — all
customers, each type of organisation, each region, each product. A segment with fewer answers than
`policy().norm_min_responses` is shown but not alerted; a breach tells the QMS heads once per
(period, segment, norm): the notification's key is that triple, and a key told before is not told again."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from amends.capa.choices import PeriodKind
from amends.capa.periods import period_of
from amends.complaints.choices import LEAVING_NORM, NOT_RECOMMENDING_NORM
from amends.customers.models import OrganisationKind, Product
from amends.notifications.card import qms_heads
from amends.notifications.models import Notification
from amends.notifications.services import NotificationSpec, notify_many

from .figures import by_segment, quarter_key
from .models.policy import policy
from .selectors import KSummary, Segment, k_summary, responses_in

RECOMMEND, CONTINUE = "recommend", "continue"
NORMS = {RECOMMEND: NOT_RECOMMENDING_NORM, CONTINUE: LEAVING_NORM}


@dataclass(frozen=True)
class Quarter:
    key: str  # "2026-Q4"
    start: date
    end: date  # the last day

    @classmethod
    def of(cls, day: date) -> "Quarter":
        period = period_of(PeriodKind.QUARTER, day)
        return cls(quarter_key(day), period.start, period.end - timedelta(days=1))

    def previous(self) -> "Quarter":
        return Quarter.of(self.start - timedelta(days=1))


@dataclass(frozen=True)
class NormRow:
    """One segment's answers in a period against the two norms."""

    key: str  # "all", "kind:commercial", "region:Yerevan", "product:3"
    label: str
    segment: Segment
    summary: KSummary
    checked: bool  # enough answers to alert

    def breached(self, norm: str) -> bool:
        if not self.checked:
            return False
        summary = self.summary
        return summary.recommending_norm_breached if norm == RECOMMEND else summary.leaving_norm_breached


@dataclass(frozen=True)
class NormBreach:
    period: str
    start: date
    end: date
    segment_key: str
    segment_label: str
    norm: str  # RECOMMEND or CONTINUE
    count: int  # refusing
    asked: int  # who answered the question
    share: Decimal
    limit: int  # the norm, per cent

    @property
    def key(self) -> str:
        return f"survey_norm:{self.period}:{self.segment_key}:{self.norm}"


def segment_label(key: str) -> str:
    """A segment's key worded in the active language (a notice is read in its reader's)."""
    dimension, _sep, value = key.partition(":")
    if dimension == "kind" and value in OrganisationKind.values:
        return str(OrganisationKind(value).label)
    if dimension == "product":
        product = Product.objects.filter(pk=int(value)).first() if value.isdigit() else None
        return str(product) if product else value
    return value if dimension == "region" else _("All customers")


def segments(responses) -> list[tuple[str, str, Segment]]:
    """All customers, then each type of organisation, region and product the responses have."""
    found = [("all", _("All customers"), Segment())]
    kinds = set(responses.exclude(organisation_kind="").values_list("organisation_kind", flat=True).distinct())
    found += [(f"kind:{kind}", str(OrganisationKind(kind).label), Segment(organisation_kind=kind))
              for kind in OrganisationKind.values if kind in kinds]
    regions = sorted(set(responses.exclude(region="").values_list("region", flat=True).distinct()))
    found += [(f"region:{region}", region, Segment(region=region)) for region in regions]
    products = Product.objects.filter(pk__in=responses.filter(product__isnull=False).values("product")).order_by("name")
    found += [(f"product:{product.pk}", str(product), Segment(product_id=product.pk)) for product in products]
    return found


def norm_rows(start: date, end: date) -> list[NormRow]:
    """Each segment's shares of the answers from `start` to `end` (both included)."""
    responses = responses_in(start, end)
    least = policy().norm_min_responses
    # One grouped query per dimension, not one per segment.
    summaries = {"all": k_summary(responses)}
    for dimension, prefix in (("organisation_kind", "kind"), ("region", "region"), ("product", "product")):
        summaries |= {f"{prefix}:{key}": summary for key, _label, summary in by_segment(responses, dimension) if key}
    return [
        NormRow(key, label, segment, summaries[key], summaries[key].responses >= least)
        for key, label, segment in segments(responses)
    ]


def breaches_in(quarter: Quarter) -> list[NormBreach]:
    found = []
    for row in norm_rows(quarter.start, quarter.end):
        summary = row.summary
        for norm, limit in NORMS.items():
            if row.breached(norm):
                count, asked = ((summary.not_recommending, summary.asked_recommend) if norm == RECOMMEND
                                else (summary.leaving, summary.asked_continue))
                share = summary.not_recommending_share if norm == RECOMMEND else summary.leaving_share
                found.append(NormBreach(
                    quarter.key, quarter.start, quarter.end, row.key, row.label, norm, count, asked,
                    share or Decimal(0), limit,
                ))
    return found


def norm_check(now: datetime | None = None) -> list[NormBreach]:
    """The breaches of the current quarter and of the one before (answers come late) not told yet,
    each told to the QMS heads now; returns them. Without a head of the QMS nothing is told, and the
    next run tells the one appointed."""
    today = timezone.localdate(now or timezone.now())
    current = Quarter.of(today)
    heads = qms_heads()
    if not heads:
        return []
    new = []
    for quarter in (current.previous(), current):
        breaches = breaches_in(quarter)
        told = set(Notification.objects.filter(key__in=[b.key for b in breaches]).values_list("key", flat=True))
        new += [breach for breach in breaches if breach.key not in told]
    notify_many([
        NotificationSpec(
            user_id=head.pk, kind="survey_norm_breached", key=breach.key, complaint_id=None,
            template="surveys/notifications/norm_breached.txt",
            context={
                "norm": breach.norm, "period": breach.period,
                "start": breach.start.isoformat(), "end": breach.end.isoformat(), "segment": breach.segment_key,
                "count": breach.count, "asked": breach.asked, "share": str(breach.share), "limit": breach.limit,
            },
        )
        for breach in new for head in heads
    ])
    return new
