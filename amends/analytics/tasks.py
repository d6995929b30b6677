"""The analysis' own work for the worker (`amends worker`), and how a page asks for it."""

from django.utils.translation import gettext as _
from django_tasks import task

from amends.accounts.models import User
from amends.core.budget import job_time_budget
from amends.core.queues import LONG_QUEUE

from .export_jobs import ExportRefused, export_queryset, register_export_run
from .exports import FORMATS
from .models import RegisterExport

# A 1,000,000-row XLSX takes some 500 CPU seconds (openpyxl writes ~2,000 rows per CPU second,
# docs/analytics.md), past the worker's default 600 s on a busy machine: the export gets the most a
# job may have, a minute under the worker's STALE_AFTER (15 minutes).
EXPORT_TIME_BUDGET = 840


@task(queue_name=LONG_QUEUE)
@job_time_budget(EXPORT_TIME_BUDGET)
def register_export_task(export_id: int) -> dict | None:
    """Write a register export asked for on a page; a failure is recorded on the export and raised."""
    export = register_export_run(export_id)
    return None if export is None else {"export": export.pk, "state": export.state, "rows": export.rows_done}


def register_export_start(user: User, *, source: str, query: str, fmt: str, language: str) -> RegisterExport:
    """Record the export and queue it for the worker; ExportRefused or AccessDenied when it cannot run."""
    if fmt not in FORMATS:
        raise ExportRefused(_("Choose CSV or XLSX."))
    export_queryset(user, source, query)  # refused now rather than in the worker
    export = RegisterExport.objects.create(user=user, source=source, query=query, format=fmt, language=language)
    register_export_task.enqueue(export.pk)
    return export
