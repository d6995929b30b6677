"""The flags follow registration, off its path: a card registered alone, or a batch of the worker's,
makes one job (flag_tasks), queued in the cards' transaction so that it is never lost and never runs
before they are committed.

Imported once from TriageConfig.ready(): the import connects the receiver and registers the flags'
place on the card page and the list (flag_pages), and the wording of their timeline note (flags)."""

from amends.complaints.models import Complaint
from amends.complaints.signals import after_registration, complaint_registered

from .flag_pages import register
from .flag_tasks import flag_cards_task


def _cards_registered(ids: list[int]) -> None:
    flag_cards_task.enqueue(ids)


def on_registered(sender, *, complaint: Complaint, **kwargs) -> None:
    after_registration(_cards_registered, complaint.pk)


complaint_registered.connect(on_registered, dispatch_uid="triage_flags_registered")
register()
