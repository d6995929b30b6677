"""The analysis' own work for the worker (`amends worker`)."""

from django_tasks import task

from .export_jobs import register_export_run


@task()
def register_export_task(export_id: int) -> dict | None:
    """Write a register export asked for on a page; a failure is recorded on the export and raised."""
    export = register_export_run(export_id)
    return None if export is None else {"export": export.pk, "state": export.state, "rows": export.rows_done}
