"""Staff hear of what happens to cards: the complaints services announce it (complaints/signals.py)."""

from django.db import transaction

from amends.complaints.models import Complaint

from .card import notify_qms_heads


def on_internal_complaint_filed(sender, *, complaint: Complaint, **kwargs) -> None:
    # After commit: nobody is told about a card that was rolled back.
    transaction.on_commit(lambda: notify_qms_heads(complaint))
