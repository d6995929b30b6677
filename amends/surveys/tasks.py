"""The surveys' work for the worker: a started campaign's invitations leave in jobs of SEND_PER_JOB,
each job queueing the next, so that other jobs run between them."""

import dataclasses

from django.db import transaction
from django_tasks import task

from .models import Campaign
from .sending import invitations_send

SEND_PER_JOB = 2000


@task()
def invitations_send_task(campaign_id: int | None = None) -> dict:
    result = invitations_send(campaign_id=campaign_id, limit=SEND_PER_JOB)
    if result.handled >= SEND_PER_JOB:
        invitations_send_task.enqueue(campaign_id)
    return dataclasses.asdict(result)


def invitations_ready_receiver(sender, *, campaign: Campaign, **kwargs) -> None:
    """signals.invitations_ready: send once the campaign's invitations are committed."""
    transaction.on_commit(lambda: invitations_send_task.enqueue(campaign.pk))
