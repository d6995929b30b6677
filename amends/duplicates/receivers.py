"""The near-duplicate search follows the card: when it is registered and when its wording or contact changes."""

from django.db import transaction

from amends.accounts.models import User
from amends.complaints.models import Complaint

from .services import duplicates_check
from .tasks import check_duplicates_task


def on_registered(sender, *, complaint: Complaint, duplicates: str, **kwargs) -> None:
    if duplicates == "queued":
        # Queued in the card's transaction: done by the worker, never lost.
        check_duplicates_task.enqueue(complaint.pk)
    elif duplicates == "now":
        # After the card's commit, so that the search does not hold up other registrations.
        transaction.on_commit(lambda: duplicates_check(complaint=complaint))
    # "caller": the caller queues the search with its own follow-up work.


def on_changed(sender, *, complaint: Complaint, actor: User | None, fields: frozenset[str], **kwargs) -> None:
    if {"wording", "contact"} & fields:
        duplicates_check(complaint=complaint)
