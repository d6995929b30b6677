"""`Idempotency-Key`: a retried request gets the first answer again and changes nothing.

The key row is inserted in the same transaction as the work it guards. A concurrent retry
with the same key waits on the unique constraint (PostgreSQL) or on the write lock (SQLite),
gets an IntegrityError once the first request commits, and replays the stored answer. A request
that fails (invalid input, no permission) rolls its key back, so it may be retried corrected.

A key is kept AMENDS_IDEMPOTENCY_KEEP_HOURS (24 by default); after that the same key is a new
request, whether or not the hourly purge has removed its row yet.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User

from .exceptions import Unprocessable
from .models import KEY_MAX_LENGTH, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = KEY_MAX_LENGTH


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any
    replayed: bool = False


def kept_since(now: datetime | None = None) -> datetime:
    """Keys created before this moment have expired."""
    hours = getattr(settings, "AMENDS_IDEMPOTENCY_KEEP_HOURS", 24)
    return (now or timezone.now()) - timedelta(hours=hours)


def fingerprint(*, method: str, path: str, data: Any) -> str:
    canonical = json.dumps([method, path, data], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(record: IdempotencyKey, request_fingerprint: str) -> Outcome:
    if record.fingerprint != request_fingerprint:
        raise Unprocessable(
            _("This Idempotency-Key was already used with a different request. "
              "Use a new key for a new request."),
            code="idempotency_key_reused",
        )
    assert record.status_code is not None  # stored in the transaction that inserted the row
    return Outcome(record.status_code, record.body, replayed=True)


def run_once(
    *, user: User, key: str, request_fingerprint: str, perform: Callable[[], tuple[int, Any]],
) -> Outcome:
    """Run `perform` unless this user already sent this key; then return what it returned the first time."""
    record = IdempotencyKey.objects.filter(user=user, key=key).first()
    expired = record is not None and record.created_at < kept_since()
    if record is not None and not expired:
        return _replay(record, request_fingerprint)
    try:
        with transaction.atomic():
            if record is not None:  # expired: a live one was replayed above
                # Only the expired row: a concurrent retry may already have replaced it.
                IdempotencyKey.objects.filter(pk=record.pk, created_at__lt=kept_since()).delete()
            record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=request_fingerprint)
            status_code, body = perform()
            record.status_code, record.body = status_code, body
            record.save(update_fields=["status_code", "body"])
    except IntegrityError:
        # Another request with this key committed first; anything else is a real error.
        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        if record is None:
            raise
        return _replay(record, request_fingerprint)
    return Outcome(status_code, body)
