"""Intake's hooks on the lifecycle: a card an employee registered is acknowledged as a channel's is."""

from django.conf import settings

from amends.complaints.choices import Origin
from amends.complaints.models import Complaint

from .tasks import acknowledge_task


def on_registered(sender, *, complaint: Complaint, acknowledge: bool = False, **kwargs) -> None:
    contact = complaint.contact
    if not acknowledge or complaint.origin != Origin.EXTERNAL or contact is None or not contact.email:
        return
    # Queued in the card's transaction: sent by the worker, never lost, never twice.
    acknowledge_task.enqueue(complaint.pk, settings.LANGUAGE_CODE)
