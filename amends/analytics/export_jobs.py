"""Register exports as background work: asked for on a page, run by the worker (tasks.py), downloaded
by the user who asked. The cards are chosen again when the export runs, from the query it was asked
with, as that user sees them then: the list's filters (complaints' own filter form and list query)
or a chart's drill-down (the cards behind one figure)."""

import logging
import tempfile
from datetime import datetime, timedelta

from django.core.files import File
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.forms import ComplaintFilterForm, form_error_text
from amends.complaints.models import Complaint
from amends.complaints.selectors import ComplaintFilter, complaint_list
from amends.core.budget import TimeBudgetExceeded
from amends.core.errors import AccessDenied

from .access import access_analytics
from .charts import CHARTS
from .exports import write_register
from .filters import AnalyticsFilterForm
from .models import RegisterExport

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=7)
# An export still queued or running this long after it was asked for has lost its worker for good
# (the queue gives a job up after its worker died twice): it is recorded as failed.
GIVEN_UP_AFTER = timedelta(days=1)


class ExportRefused(Exception):
    """What the person asked for cannot be exported; the message says why, in their language."""


def export_queryset(user: User, source: str, query: str) -> QuerySet[Complaint]:
    """The cards an export of `source` with `query` holds, as `user` may see them now."""
    given = QueryDict(query)
    if source == RegisterExport.Source.LIST:
        # As the list page: its filters when any are given, else every card but the set-aside ones.
        filters = ComplaintFilterForm(given).to_filter() if given else ComplaintFilter(set_aside=False)
        return complaint_list(user, filters)
    if source == RegisterExport.Source.DRILL:
        access_analytics(user)
        form = AnalyticsFilterForm(given)
        if not form.is_valid():
            raise ExportRefused(form_error_text(form))
        spec = CHARTS.get(given.get("chart", ""))
        if spec is None or spec.drill is None:
            raise ExportRefused(_("No chart of that name lists its cards."))
        cards = spec.drill(user, form.to_filter(), given.get("point", ""), given.get("series", ""))
        return cards if cards.ordered else cards.order_by("-received_at", "-pk")
    raise ExportRefused(_("Unknown export source."))


def register_export_run(export_id: int) -> RegisterExport | None:
    """Write the export's file. Run again after a worker died, it starts over; a finished export is
    left as it is. A failure is recorded on the export with its reason, then raised for the queue."""
    export = RegisterExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.finished:
        return export
    mine = RegisterExport.objects.filter(pk=export.pk)
    mine.update(state=RegisterExport.State.RUNNING, rows_done=0, rows_total=None, error="")

    def report(done: int) -> None:  # committed at once: the page polling it reads another connection
        mine.update(rows_done=done)

    try:
        with translation.override(export.language):
            cards = export_queryset(export.user, export.source, export.query)
            total = cards.count()
            mine.update(rows_total=total)
            with tempfile.TemporaryFile() as spool:
                rows = write_register(cards, spool, export.format, language=export.language, progress=report)
                spool.seek(0)
                export.file.save(export_filename(export), File(spool), save=False)
    except Exception as error:
        reason = _failure_reason(error, export.language)
        logger.exception("Register export %s failed", export.pk)
        mine.update(state=RegisterExport.State.FAILED, error=reason, finished_at=timezone.now())
        raise
    mine.update(state=RegisterExport.State.DONE, file=export.file.name, rows_done=rows, rows_total=rows,
                finished_at=timezone.now())
    export.refresh_from_db()
    return export


def _failure_reason(error: Exception, language: str) -> str:
    if isinstance(error, ExportRefused | AccessDenied):
        return str(error)
    if isinstance(error, TimeBudgetExceeded):
        with translation.override(language):
            return _("The export took longer than the worker allows (%(seconds)s s) and was stopped: export "
                     "fewer cards, or as CSV, which is written faster.") % {"seconds": f"{error.seconds:g}"}
    return f"{type(error).__name__}: {error}"


def export_filename(export: RegisterExport) -> str:
    day = timezone.localdate(export.created_at)
    return f"complaints-{day.isoformat()}-{export.pk}.{export.format}"


def register_exports_purge(now: datetime | None = None) -> int:
    """Delete the exports asked for over KEEP_FOR ago, with their files; record those that lost their
    worker as failed. Returns how many were deleted."""
    now = now or timezone.now()
    RegisterExport.objects.filter(
        state__in=[RegisterExport.State.QUEUED, RegisterExport.State.RUNNING], created_at__lt=now - GIVEN_UP_AFTER,
    ).update(state=RegisterExport.State.FAILED, finished_at=now, error="The worker stopped without finishing it.")
    old = list(RegisterExport.objects.filter(created_at__lt=now - KEEP_FOR))
    for export in old:
        if export.file:
            export.file.delete(save=False)
        export.delete()
    return len(old)


def register_exports_of(user: User) -> QuerySet[RegisterExport]:
    return RegisterExport.objects.filter(user=user)
