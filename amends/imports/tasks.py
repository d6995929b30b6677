"""An import started on the upload screen is run by the worker (`amends worker`); its page follows the
run's counters, which the run commits with each chunk."""

import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from amends.accounts.models import User
from amends.audit.models import Action
from amends.audit.services import audit_record_object
from amends.core.budget import job_time_budget
from amends.core.queues import LONG_QUEUE

from .access import access_imports
from .indexes import indexes_abandoned, indexes_restore
from .models import ImportMapping, ImportRun, ImportStatus
from .running import import_run
from .uploads import Draft

# The most a job may have, a minute under the worker's STALE_AFTER (15 minutes).
IMPORT_TIME_BUDGET = 840
# A job stops after the first chunk committed past this many seconds, well within its budget, and the
# next job goes on from there: a file of any size is imported without a job running over its budget.
IMPORT_SLICE_SECONDS = 600


class ImportSliceOver(BaseException):  # noqa: N818 - reads as what happened
    """Raised by the job's progress callback after a committed chunk once its slice is over. A
    BaseException, so that the run's own handling, which records any Exception as the run's failure,
    lets it through and the run stays as it was after that chunk."""


@task(queue_name=LONG_QUEUE)
@job_time_budget(IMPORT_TIME_BUDGET)
def import_run_task(run_id: int) -> dict | None:
    """Run the import for at most IMPORT_SLICE_SECONDS, then queue the rest as the next job. A run already
    finished is left as it is (the queue may hand a job out twice). A failure the run did not record
    itself is recorded on it, so that its page says why, then raised for the queue."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ImportStatus.DONE:
        return None
    mine = ImportRun.objects.filter(pk=run_id)
    slice_ends, job_started = time.monotonic() + IMPORT_SLICE_SECONDS, timezone.now()

    def slice_check(current: ImportRun) -> None:
        """Called as the run starts, after each committed chunk, index built or part of the search index
        written, and as it ends: stops a running one that moved on in this job (so each job does) once
        the slice is over."""
        if (current.status == ImportStatus.RUNNING and current.progressed_at is not None
                and current.progressed_at > job_started and time.monotonic() > slice_ends):
            raise ImportSliceOver

    try:
        run = import_run(run, progress=slice_check)
    except ImportSliceOver:
        mine.update(status=ImportStatus.QUEUED)
        import_run_task.enqueue(run_id)
        return {"run": run_id, "status": "continued", "committed_row": mine.values_list("committed_row", flat=True)[0]}
    except Exception as error:
        mine.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).update(
            status=ImportStatus.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now())
        raise
    return {"run": run.pk, "status": run.status, "created": run.created, "skipped": run.skipped,
            "rejected": run.rejected}


def import_start(user: User, draft: Draft) -> ImportRun:
    """Record the run from the draft and queue it for the worker once committed."""
    access_imports(user)
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=draft.source, file=draft.file, original_name=draft.original_name, format=draft.format,
            encoding=draft.encoding, columns=draft.mapping, started_by=user,
            mapping=ImportMapping.objects.filter(pk=draft.saved_mapping).first() if draft.saved_mapping else None,
        )
        audit_record_object(actor=user, action=Action.RUN, obj=run,
                            changes={"source": run.source, "columns": run.columns, "file": run.original_name})
        transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    return run


def import_resume(user: User, run: ImportRun) -> bool:
    """Queue a failed run again: it goes on after its last committed row. False when it has not failed."""
    access_imports(user)
    with transaction.atomic():
        if not ImportRun.objects.filter(pk=run.pk, status=ImportStatus.FAILED).update(
                status=ImportStatus.QUEUED, error="", finished_at=None):
            return False
        audit_record_object(actor=user, action=Action.RUN, obj=run,
                            changes={"resumed_after_row": run.committed_row, "at": timezone.now().isoformat()})
        transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    return True


@task(queue_name=LONG_QUEUE)
@job_time_budget(IMPORT_TIME_BUDGET)
def indexes_restore_task() -> int:
    """Build again the indexes an import set aside before it was stopped (queued by the worker as it starts)."""
    return indexes_restore(only_abandoned=True)


_checked_in_this_process = False


def indexes_check_at_start(sender, **kwargs) -> None:
    """On the first job a worker runs (within a minute of its start: the periodic ones): if an import
    was stopped with the card tables' indexes set aside, queue their build."""
    global _checked_in_this_process
    if _checked_in_this_process:
        return
    _checked_in_this_process = True
    if indexes_abandoned():
        indexes_restore_task.enqueue()
