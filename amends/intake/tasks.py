"""Work the intake hands to the background worker so that taking a complaint in stays fast."""

import logging

from django.core.mail import get_connection
from django_tasks import task

from amends.complaints.models import Complaint
from amends.duplicates.services import duplicates_store, duplicates_store_many

from .acknowledge import acknowledge, acknowledge_many

logger = logging.getLogger(__name__)

# A batch's acknowledgements run before its duplicate searches (a job of higher priority runs first): the
# customers of a burst hear from us as soon as their cards exist; the search is ours, seconds later.
ACKNOWLEDGE_PRIORITY = 10


@task()
def follow_up_registration_task(complaint_id: int, language: str) -> int | None:
    """A channel's new card: look for near-duplicates, then acknowledge it to the customer. One job,
    not two, because each job costs the queue several writes. Both steps are safe to repeat."""
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:  # removed before the worker got to it
        return None
    _duplicates_check(complaint)
    outbound = acknowledge(complaint, language)
    return outbound.pk if outbound is not None else None


@task()
def follow_up_registrations_task(cards: list[list]) -> int:
    """`follow_up_registration_task` for a batch of new cards, each given as [id, language to
    acknowledge in, or "" for none]: the acknowledgements leave over one mail connection. Returns
    how many were acknowledged. The worker's batches queue the acknowledgements apart
    (acknowledge_registrations_task) and give this job none."""
    found = Complaint.objects.select_related("contact").in_bulk([pk for pk, _language in cards])
    try:
        duplicates_store_many([found[pk] for pk, _language in cards if pk in found])
    except Exception:  # one card may be the cause: each is checked alone
        logger.exception("Duplicate check of %d cards failed; checked one by one", len(found))
        for pk, _language in cards:
            if pk in found:
                _duplicates_check(found[pk])
    return _acknowledge(found, cards)


@task()
def acknowledge_registrations_task(cards: list[list]) -> int:
    """The acknowledgements of a batch's new cards, each given as [id, language], over one mail
    connection; how many were sent (never one twice)."""
    return _acknowledge(Complaint.objects.select_related("contact").in_bulk([pk for pk, _language in cards]), cards)


def _acknowledge(found: dict[int, Complaint], cards: list[list]) -> int:
    wanted = [(found[pk], language) for pk, language in cards if language and pk in found]
    if not wanted:
        return 0
    connection = get_connection()
    try:
        return acknowledge_many(wanted, connection)
    finally:
        connection.close()


@task()
def acknowledge_task(complaint_id: int, language: str) -> int | None:
    """The acknowledgement of a card an employee registered (the operator's screen)."""
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return None
    outbound = acknowledge(complaint, language)
    return outbound.pk if outbound is not None else None


def _duplicates_check(complaint: Complaint) -> None:
    try:
        duplicates_store(complaint=complaint)
    except Exception:  # the customer is acknowledged all the same; the card can be checked again
        logger.exception("Duplicate check of %s failed", complaint.number)
