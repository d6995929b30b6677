from django_tasks import task

from .flags import flag_many


@task()
def flag_cards_task(complaint_ids: list[int]) -> None:
    """The emotion and urgency flags of cards just registered: one job for a batch of the worker's."""
    flag_many(complaint_ids)
