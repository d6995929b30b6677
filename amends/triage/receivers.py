"""Triage follows the card: suggestions after registration, and what became of them on every change."""

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.complaints.signals import after_registration

from .flags import flag_labels_import
from .services import suggestions_follow_card
from .tasks import triage_task

TRIAGE_PRIORITY = -10


def _triage_later(complaint_ids: list[int]) -> None:
    # Queued in the cards' transaction: the worker flags them and makes the suggestions, never the registration.
    # Below intake's follow-ups, so that the acknowledgements and duplicate checks keep pace with a burst.
    triage_task.using(priority=TRIAGE_PRIORITY).enqueue(complaint_ids)


def on_registered(sender, *, complaint: Complaint, **kwargs) -> None:
    # A worker batch makes one job for all its cards.
    after_registration(_triage_later, complaint.pk)


def on_negative_labels_imported(sender, *, labels: list[tuple[int, bool]], **kwargs) -> None:
    flag_labels_import(labels)


def on_changed(sender, *, complaint: Complaint, actor: User | None, fields: frozenset[str], **kwargs) -> None:
    suggestions_follow_card(complaint=complaint, actor=actor, fields=fields)
