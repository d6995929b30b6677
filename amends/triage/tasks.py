from django_tasks import task

from . import learning
from .services import suggest_many


@task()
def suggest_task(complaint_ids: list[int]) -> int:
    """Suggestions for the cards of one registration or one worker batch; returns how many were made."""
    return suggest_many(complaint_ids)


@task()
def train_task(field: str) -> int:
    """An administrator's "train now": the version made (put in use only if not worse)."""
    return learning.train(field).version
