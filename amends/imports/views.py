"""The upload screen, for administrators: upload a journal, map its columns (or take a saved mapping),
preview the first rows with their problems, start the run on the worker and watch it; the past runs.

A file that cannot be read, or is over the size limit, is said on the page; nothing of it is kept."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .access import access_imports
from .forms import EncodingForm, MappingForm, SavedMappingForm, UploadForm
from .mapping import FIELDS
from .models import ImportMapping, ImportRun, ImportStatus
from .reading import TableError
from .tasks import import_resume, import_start
from .uploads import (
    Draft,
    UploadTooLarge,
    draft_forget,
    draft_get,
    draft_keep,
    draft_preview,
    draft_read,
    mapping_apply,
    mapping_save,
    upload_store,
)

RUNS_PER_PAGE = 50


@login_required
def runs(request) -> HttpResponse:
    access_imports(request.user)
    page = Paginator(ImportRun.objects.select_related("started_by"), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/runs.html", {"page": page, "runs": page.object_list})


@csrf_exempt  # the size limit is set before the body is read; the CSRF check, which reads it, follows
@login_required
def upload(request) -> HttpResponse:
    access_imports(request.user)
    if request.method != "POST":
        return _upload_page(request, UploadForm())
    limit = UploadTooLarge(settings.AMENDS_IMPORT_MAX_BYTES, request)
    request.upload_handlers.insert(0, limit)
    request.POST  # noqa: B018 - reads the body through the handlers
    if limit.refused:  # nothing was read or stored, so nothing to protect: the CSRF check would fail on the empty form
        return _upload_page(request, UploadForm(), status=413, error=_(
            "The file is larger than the limit of %(limit)s. Split it into several files, or import it with the "
            "command “amends import”.") % {"limit": filesizeformat(settings.AMENDS_IMPORT_MAX_BYTES)})
    return _upload_store(request)


@csrf_protect
def _upload_store(request) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    try:
        draft = upload_store(form.cleaned_data["file"])
    except TableError as error:
        return _upload_page(request, UploadForm(), error=_("The file cannot be read: %(reason)s") % {"reason": error})
    draft_keep(request.session, draft)
    return redirect("imports:columns", token=draft.token)


def _upload_page(request, form: UploadForm, *, status: int = 200, error: str = "") -> HttpResponse:
    return render(request, "imports/upload.html", {
        "form": form, "error": error, "limit": settings.AMENDS_IMPORT_MAX_BYTES,
    }, status=status)


def _draft_or_404(request, token: str) -> Draft:
    access_imports(request.user)
    draft = draft_get(request.session, token)
    if draft is None:
        raise Http404("No such upload in this session.")
    return draft


@login_required
def columns(request, token: str) -> HttpResponse:
    """The mapping step: a saved mapping (?mapping=), the encoding, or a column per card field."""
    draft = _draft_or_404(request, token)
    encoding_form = EncodingForm(initial={"encoding": draft.encoding})
    chosen = SavedMappingForm(request.GET or None)
    if chosen.is_valid():
        missing = mapping_apply(draft, chosen.cleaned_data["mapping"])
        draft_keep(request.session, draft)
        if missing:
            messages.warning(request, _("This file has no column %(columns)s of the saved mapping: those fields are "
                                        "left without a column.") % {"columns": ", ".join(f"“{c}”" for c in missing)})
        return redirect("imports:columns", token=draft.token)
    form = MappingForm(initial=MappingForm.initial_of(draft.mapping, draft.source), columns=draft.columns)
    if request.method == "POST" and "encoding" in request.POST:
        encoding_form = EncodingForm(request.POST)
        if encoding_form.is_valid():
            return _encoding_change(request, draft, encoding_form.cleaned_data["encoding"])
    elif request.method == "POST":
        form = MappingForm(request.POST, columns=draft.columns)
        if form.is_valid():
            draft.mapping, draft.source = form.mapping(), form.cleaned_data["source"].strip()
            if name := form.cleaned_data["save_as"].strip():
                draft.saved_mapping = mapping_save(request.user, name=name, columns=draft.mapping).pk
                messages.success(request, _("Mapping “%(name)s” saved.") % {"name": name})
            draft_keep(request.session, draft)
            return redirect("imports:preview", token=draft.token)
    return render(request, "imports/columns.html", {
        "draft": draft, "form": form, "encoding_form": encoding_form,
        "saved": SavedMappingForm(initial={"mapping": draft.saved_mapping}),
        "has_saved": ImportMapping.objects.exists(),
    })


def _encoding_change(request, draft: Draft, encoding: str) -> HttpResponse:
    previous = draft.encoding
    try:
        draft_read(draft, encoding=encoding)
    except TableError as error:
        messages.error(request, _("The file cannot be read as %(encoding)s: %(reason)s") % {
            "encoding": encoding, "reason": error})
        draft.encoding = previous
    draft_keep(request.session, draft)
    return redirect("imports:columns", token=draft.token)


@login_required
def preview(request, token: str) -> HttpResponse:
    """The first rows as the run will read them, with each row's problems; starting queues the run."""
    access_imports(request.user)
    if request.method == "POST" and draft_get(request.session, token) is None:
        return redirect("imports:runs")  # started already: the button pressed twice
    draft = _draft_or_404(request, token)
    if not draft.mapping:
        return redirect("imports:columns", token=draft.token)
    if request.method == "POST":
        run = import_start(request.user, draft)
        draft_forget(request.session, draft.token, delete_file=False)
        return redirect("imports:run", pk=run.pk)
    try:
        rows = draft_preview(draft)
    except TableError as error:
        messages.error(request, _("The file cannot be read: %(reason)s") % {"reason": error})
        rows = None
    fields = [field for field in FIELDS if field.key in draft.mapping]
    return render(request, "imports/preview.html", {
        "draft": draft, "fields": fields, "rows": rows,
        "cells": [(row, [(field, row.values.get(field.key, "")) for field in fields]) for row in rows or ()],
        "with_problems": sum(1 for row in rows or () if row.problems),
    })


@login_required
@require_POST
def cancel(request, token: str) -> HttpResponse:
    _draft_or_404(request, token)
    draft_forget(request.session, token, delete_file=True)
    messages.info(request, _("The upload was cancelled and its file deleted."))
    return redirect("imports:runs")


@login_required
def run(request, pk: int) -> HttpResponse:
    """The run's state; while it runs, htmx asks for the progress part again every two seconds."""
    access_imports(request.user)
    record = get_object_or_404(ImportRun.objects.select_related("started_by", "mapping"), pk=pk)
    polled = request.headers.get("HX-Request") == "true"
    template = "imports/progress.html" if polled else "imports/run.html"
    return render(request, template, {"run": record, "fields": FIELDS, **_progress(record)})


def _progress(run: ImportRun) -> dict:
    finished = run.status in (ImportStatus.DONE, ImportStatus.FAILED)
    percent = None
    if run.rows_total:
        percent = min(100, run.rows_done * 100 // run.rows_total)
    return {"finished": finished, "percent": percent}


@login_required
@require_POST
def resume(request, pk: int) -> HttpResponse:
    access_imports(request.user)
    record = get_object_or_404(ImportRun, pk=pk)
    if import_resume(request.user, record):
        messages.success(request, _("The import is queued again; it goes on after row %(row)s.") % {
            "row": record.committed_row})
    return redirect("imports:run", pk=record.pk)


@login_required
def rejects(request, pk: int) -> FileResponse:
    access_imports(request.user)
    record = get_object_or_404(ImportRun, pk=pk)
    if not record.rejects:
        raise Http404("This run rejected no rows.")
    return FileResponse(record.rejects.open("rb"), as_attachment=True, filename=Path(str(record.rejects.name)).name)
