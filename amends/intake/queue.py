"""The worker's side of intake: the stored submissions waiting for their card (web form, API, e-mail),
taken in batches.

A batch is claimed in one short transaction (on PostgreSQL with SKIP LOCKED, so that several workers
share the queue), then registered in one transaction: its new cards are written together, one insert
per table (services.inbound_process_batch); a message that continues a card or brings files is
accepted alone, and a bad one is quarantined while the rest go on. Their follow-up work (near-duplicate
search, acknowledgement) is queued in the same transaction, as a few jobs of FOLLOW_UP_CARDS cards
each, which the worker runs after the batch, the acknowledgements first. A worker killed mid-batch
commits nothing of it: the claims expire and the submissions are taken again, one by one, each attempt
counted, so that one that stops the worker is quarantined alone (quarantine.py). The batch counts none:
a kill in it would count against every submission in it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amends.complaints.choices import Channel

from .models import InboundMessage, InboundStatus
from .services import follow_ups_collected, inbound_process_batch, inbound_reprocess
from .tasks import ACKNOWLEDGE_PRIORITY, acknowledge_registrations_task, follow_up_registrations_task

# A follow-up job's cards: each takes 10-20 ms (duplicate search, acknowledgement), and a batch of
# cards waiting behind a job waits for all of them.
FOLLOW_UP_CARDS = 20
# The jobs queued for each FOLLOW_UP_CARDS cards: their acknowledgements, their duplicate search.
FOLLOW_UP_JOBS = 2


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.AMENDS_INBOUND_CLAIM_TIMEOUT)


def _claim_expired(now: datetime) -> Q:
    """Claimed by a worker that has not committed its card within the claim timeout: a numbered
    submission (a claim without a time was made before claims had one), or an e-mail a worker took.
    E-mail stored unclaimed by an earlier version is the mail poll's (email_retry_pending)."""
    expired = Q(claimed_at__lt=now - claim_timeout())
    numbered = ~Q(number="") & (Q(claimed_at__isnull=True) | expired)
    return Q(status=InboundStatus.RECEIVED) & (numbered | (Q(channel=Channel.EMAIL) & expired))


def inbound_process_queued(limit: int | None = None, *, retry_expired: bool = True) -> int:
    """Register a batch of the stored submissions queued for the worker, oldest first, then retry
    those whose claim expired (unless `retry_expired` is false: the worker looks for them every few
    seconds, not after every batch); returns how many were taken (the worker calls it until it returns 0).
    Should a request register one of the same cards meanwhile, the card's unique number makes one
    card of the two."""
    limit = limit or settings.AMENDS_INTAKE_BATCH
    batch = _claim_batch(limit)
    if batch:
        _register_batch(batch)
    return len(batch) + (inbound_retry_expired(limit) if retry_expired else 0)


def _claim_batch(limit: int) -> list[InboundMessage]:
    """Take up to `limit` queued submissions for this worker. On SQLite the transaction holds the
    database from its start; on PostgreSQL the rows are locked and skipped by other workers."""
    waiting = InboundMessage.objects.filter(status=InboundStatus.QUEUED)
    if not waiting.exists():  # a read: on SQLite the claim's transaction would take the write lock
        return []
    claimed_at = timezone.now()
    with transaction.atomic():
        pks = list(
            InboundMessage.objects.select_for_update(skip_locked=True).filter(status=InboundStatus.QUEUED)
            .order_by("pk").values_list("pk", flat=True)[:limit]
        )
        InboundMessage.objects.filter(pk__in=pks, status=InboundStatus.QUEUED).update(
            status=InboundStatus.RECEIVED, claimed_at=claimed_at,
        )
    claimed = InboundMessage.objects.filter(pk__in=pks, status=InboundStatus.RECEIVED, claimed_at=claimed_at)
    return list(claimed.select_related("submitted_by").order_by("pk"))


def _register_batch(batch: list[InboundMessage]) -> None:
    with transaction.atomic(), follow_ups_collected() as follow_ups:
        inbound_process_batch(batch)
        # In jobs of a few cards: the worker runs one between batches, so each one holds them up briefly.
        for start in range(0, len(follow_ups), FOLLOW_UP_CARDS):
            cards = follow_ups[start:start + FOLLOW_UP_CARDS]
            if any(language for _pk, language in cards):
                acknowledge_registrations_task.using(priority=ACKNOWLEDGE_PRIORITY).enqueue(cards)
            follow_up_registrations_task.enqueue([[pk, ""] for pk, _language in cards])


def inbound_retry_expired(limit: int) -> int:
    """Register up to `limit` submissions whose claim expired (their worker stopped), one by one: a
    submission whose batch never committed may be what stopped its worker. Returns how many."""
    expired = list(InboundMessage.objects.filter(_claim_expired(timezone.now())).order_by("pk")[:limit])
    for message in expired:
        claimed_at = timezone.now()
        claimed = InboundMessage.objects.filter(_claim_expired(claimed_at), pk=message.pk).update(claimed_at=claimed_at)
        if claimed:
            message.claimed_at = claimed_at
            inbound_reprocess(message)
    return len(expired)
