"""Training by the worker on a schedule: each field's model is trained again once enough cards have
been classified since its last training, so a quiet week costs nothing."""

from django.conf import settings
from django_tasks import task

from amends.core.queues import LONG_QUEUE

from .models import NEGATIVE_MODEL, TriageField, TriageModel

# New classified cards since the last training that make a new one worth it; AMENDS_TRIAGE_RETRAIN_AFTER overrides.
RETRAIN_AFTER = 200


def fields_due() -> list[str]:
    """The fields (and the negative flag) whose classified cards grew by RETRAIN_AFTER since their last
    model was trained."""
    # The learning package brings scikit-learn (1.4 s): imported when the job runs, not when the
    # worker's schedule imports this module to enqueue it.
    from .learning.data import classified_count

    fields = getattr(settings, "AMENDS_TRIAGE_FIELDS", None) or [*TriageField.values, NEGATIVE_MODEL]
    after = getattr(settings, "AMENDS_TRIAGE_RETRAIN_AFTER", RETRAIN_AFTER)
    due = []
    for field in fields:
        last = TriageModel.objects.filter(field=field).order_by("-version").first()
        seen = last.evaluation.get("cards", last.trained_on + last.tested_on) if last else 0
        if last is None or classified_count(field) - seen >= after:
            due.append(field)
    return due


def triage_train_due() -> dict[str, int]:
    """Train every field that is due; field -> the version made."""
    from .learning import train

    return {field: train(field).version for field in fields_due()}


@task(queue_name=LONG_QUEUE)
def triage_train_task():
    return triage_train_due()
