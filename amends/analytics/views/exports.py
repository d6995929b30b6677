"""The register exports: ask for one, watch it being written, download it. Each user sees and
downloads only their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..export_jobs import ExportRefused, export_filename, register_exports_of
from ..models import RegisterExport
from ..tasks import register_export_start

RECENT = 20


@login_required
@require_POST
def export_start(request) -> HttpResponse:
    try:
        export = register_export_start(
            request.user, source=request.POST.get("source", ""), query=request.POST.get("query", ""),
            fmt=request.POST.get("format", ""), language=translation.get_language(),
        )
    except ExportRefused as refusal:
        messages.error(request, str(refusal))
        back = request.POST.get("back", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if safe and back else "analytics:exports")
    return redirect("analytics:export", pk=export.pk)


@login_required
def export(request, pk: int) -> HttpResponse:
    """The export's state; while it is written, HTMX asks for the progress part again every two seconds."""
    record = get_object_or_404(RegisterExport, pk=pk, user=request.user)
    polled = request.headers.get("HX-Request") == "true"
    template = "analytics/exports/progress.html" if polled else "analytics/exports/detail.html"
    return render(request, template, {"export": record})


@login_required
def export_download(request, pk: int) -> FileResponse:
    record = get_object_or_404(RegisterExport, pk=pk, user=request.user)
    if record.state != RegisterExport.State.DONE or not record.file:
        raise Http404("The export is not ready.")
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=export_filename(record))


@login_required
def exports(request) -> HttpResponse:
    return render(request, "analytics/exports/list.html", {"exports": register_exports_of(request.user)[:RECENT]})
