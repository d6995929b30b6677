"""A cause growing quarter on quarter (issue 15 §4): per cause, the counted complaints (justified or
not: a growing cause is worth a look before anyone has judged the cards) received in the current
quarter so far against the whole previous quarter. At least `growth_min_count` and more than
`growth_percent` per cent up is proposed, once per cause and quarter; a cause with none in the
previous quarter is up by more than any per cent."""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from amends.complaints.models import Cause

from .choices import PeriodKind, ProposalKind
from .models import CapaSettings, Proposal
from .periods import current_period
from .proposals import proposal_raise
from .selectors import counted_complaints


@transaction.atomic
def cause_growth_check(now: datetime | None = None) -> list[Proposal]:
    """Propose each cause grown this quarter, once; returns the proposals raised by this run."""
    now = now or timezone.now()
    settings = CapaSettings.current()
    quarter = current_period(PeriodKind.QUARTER, now)
    previous = quarter.previous()
    (start, _end), (before, _start) = quarter.bounds(), previous.bounds()
    rows = (
        counted_complaints().filter(cause__isnull=False, received_at__gte=before, received_at__lte=now)
        .values("cause").annotate(
            current=Count("pk", filter=Q(received_at__gte=start)),
            previous=Count("pk", filter=Q(received_at__lt=start)),
        )
    )
    grown = {
        row["cause"]: row for row in rows
        if row["current"] >= settings.growth_min_count
        and row["current"] * 100 > row["previous"] * (100 + settings.growth_percent)
    }
    keys = {cause: f"growth:{cause}:{quarter.key}" for cause in grown}
    proposed = set(Proposal.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    grown = {cause: row for cause, row in grown.items() if keys[cause] not in proposed}
    if not grown:
        return []
    cards = defaultdict(list)
    for card in counted_complaints().filter(cause__in=grown, received_at__gte=start, received_at__lte=now).order_by(
        "received_at", "pk",
    ):
        cards[card.cause_id].append(card)
    causes = Cause.objects.in_bulk(grown)
    raised = []
    for cause, row in grown.items():
        proposal = proposal_raise(
            kind=ProposalKind.CAUSE_GROWTH, key=keys[cause], cause=causes[cause], complaints=cards[cause],
            params={"count": row["current"], "previous": row["previous"], "quarter": quarter.label,
                    "previous_quarter": previous.label, "percent": settings.growth_percent},
        )
        if proposal is not None:
            raised.append(proposal)
    return raised
