"""The worker's hourly look at the data for nonconformities to propose (the norms have their own job)."""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .clusters import cluster_check
from .growth import cause_growth_check
from .models import Proposal

logger = logging.getLogger(__name__)

Check = Callable[[datetime | None], list[Proposal]]
CHECKS: Sequence[Check] = (cluster_check, cause_growth_check)


def proposals_check(now: datetime | None = None, checks: Sequence[Check] = CHECKS) -> dict[str, int | str]:
    """Run each check in its own transaction: one that fails is logged and rolled back, and the
    others still run. Returns per check how many proposals it raised, or "failed"."""
    now = now or timezone.now()
    done: dict[str, int | str] = {}
    for check in checks:
        try:
            with transaction.atomic():
                done[check.__name__] = len(check(now))
        except Exception:  # noqa: BLE001 - the next hour retries; the other checks must not wait for it
            logger.exception("The proposal check %s failed", check.__name__)
            done[check.__name__] = "failed"
    return done
