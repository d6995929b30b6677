"""Quarantine for the messages whose processing never finishes: it may be what stops the worker."""

import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import InboundMessage, InboundStatus

logger = logging.getLogger(__name__)

# A message whose processing started this many times and never finished (its worker was killed, or
# stalled) is quarantined instead of tried again.
INBOUND_MAX_ATTEMPTS = 2


def inbound_quarantine_stalled(message: InboundMessage) -> bool:
    """Quarantine, with the reason, a waiting message whose processing was cut short
    INBOUND_MAX_ATTEMPTS times; True when it is not to be processed now."""
    attempts = InboundMessage.objects.filter(pk=message.pk).values_list("attempts", flat=True).first() or 0
    if attempts < INBOUND_MAX_ATTEMPTS:
        return False
    reason = _(
        "Processing started %(count)d times and never finished (the worker stopped or ran out of time); "
        "quarantined so that it cannot stop the worker again. Process it again once the cause is found."
    ) % {"count": attempts}
    waiting = InboundMessage.objects.filter(pk=message.pk, status__in=[InboundStatus.QUEUED, InboundStatus.RECEIVED])
    if waiting.update(status=InboundStatus.QUARANTINED, reason=reason, processed_at=timezone.now()):
        logger.warning("Inbound message %s quarantined: %s", message.pk, reason)
    message.refresh_from_db(fields=["status", "reason", "processed_at", "complaint", "attempts"])
    return True


def _follow_up_messages(args: list) -> Q:
    return Q(complaint_id=args[0])


def _follow_ups_messages(args: list) -> Q:
    return Q(complaint_id__in=[pk for pk, _language in args[0]])


def _files_messages(args: list) -> Q:
    return Q(pk=args[0])


# The intake's background jobs, by task path, and the messages each one works on (from its arguments).
JOB_MESSAGES = {
    "amends.intake.tasks.follow_up_registration_task": _follow_up_messages,
    "amends.intake.tasks.follow_up_registrations_task": _follow_ups_messages,
    "amends.intake.tasks.acknowledge_registrations_task": _follow_ups_messages,
    "amends.intake.channels.webhooks.files.fetch_received_files_task": _files_messages,
}


def inbound_quarantine_job(*, task_path: str, args: list, reason: str) -> int:
    """Quarantine, with the reason, the messages an intake job given up on was working on (none for
    another job); how many. Their cards stay: the reason says what was not done for them."""
    messages = JOB_MESSAGES.get(task_path)
    if messages is None or not args:
        return 0
    reason = _("A background job for this message was given up: %(reason)s") % {"reason": reason}
    return InboundMessage.objects.filter(messages(args)).update(
        status=InboundStatus.QUARANTINED, reason=reason[:5000], processed_at=timezone.now(),
    )
