"""Work the intake hands to the background worker so that taking a complaint in stays fast."""

from django_tasks import task

from amends.complaints.models import Complaint


@task()
def acknowledge_complaint(complaint_id: int, language: str) -> int | None:
    from .acknowledge import acknowledge

    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:  # removed before the worker got to it
        return None
    outbound = acknowledge(complaint, language)
    return outbound.pk if outbound is not None else None
