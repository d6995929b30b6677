from django_tasks import task

from amends.complaints.models import Complaint

from .services import duplicates_check


@task()
def check_duplicates_task(complaint_id: int) -> int | None:
    """The near-duplicate search for a card a channel registered; returns the candidates found."""
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return None
    return len(duplicates_check(complaint=complaint))

