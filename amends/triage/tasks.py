from django_tasks import task

from amends.core.queues import LONG_QUEUE

from .flags import flag_many
from .services import suggest_many


@task()
def triage_task(complaint_ids: list[int]) -> int:
    """The flags, then the suggestions, of the cards of one registration or one worker batch (one job, so
    that the worker's slot between batches stays free for intake's follow-ups); returns the suggestions made.
    Flags first: a raised importance is then kept by the suggestions."""
    flag_many(complaint_ids)
    return suggest_many(complaint_ids)


@task(queue_name=LONG_QUEUE)
def train_task(field: str) -> int:
    """An administrator's "train now": the version made (put in use only if not worse)."""
    from .learning import train  # scikit-learn: loaded by the processes that train or predict only

    return train(field).version
