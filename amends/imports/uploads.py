"""The upload screen's steps before a run exists: the uploaded file is stored where the run will read it,
read once for its columns, and kept as a draft in the administrator's session through the mapping and
the preview. Starting the draft turns it into an ImportRun (tasks.import_start); an abandoned draft's
file is deleted when the draft is cancelled or pushed out by newer ones."""

import dataclasses
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from amends.audit.models import Action
from amends.audit.services import audit_record_object

from .checking import PreviewRow, rows_preview
from .mapping import CFPB, mapping_guess
from .models import ImportMapping
from .reading import Table, TableError, table_open

DRAFTS_KEY = "imports_drafts"
DRAFTS_KEPT = 5
PREVIEW_ROWS = 20
# Headers, the CSRF token and the other fields of the upload form besides the file itself.
FORM_OVERHEAD = 64 * 1024


@dataclasses.dataclass
class Draft:
    token: str
    file: str  # its name in the default storage, where the run reads it
    original_name: str
    format: str
    encoding: str
    columns: list[str]  # the file's own headers
    mapping: dict[str, str]  # card field key -> the file's column
    source: str
    saved_mapping: int | None = None  # ImportMapping chosen or saved on the way


class UploadTooLarge(FileUploadHandler):
    """Refuses a request larger than the limit before a byte of it is read, so an oversized file is
    neither spooled nor stored. First among the request's upload handlers (set before the body is read)."""

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803 - Django's name
        if content_length > self.limit + FORM_OVERHEAD:
            self.refused = True
            return QueryDict(), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


@contextmanager
def local_path(name: str) -> Iterator[Path]:
    """The stored file as a path on this machine: itself on a file system storage, else a copy for the
    time of the block (S3-compatible storage)."""
    try:
        own = Path(default_storage.path(name))
    except NotImplementedError:
        own = None
    if own is not None:
        yield own
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy, default_storage.open(name, "rb") as stored:
        shutil.copyfileobj(stored, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


@contextmanager
def draft_table(draft: Draft) -> Iterator[Table]:
    with local_path(draft.file) as path:
        yield table_open(path, encoding=draft.encoding or None)


def upload_store(upload: UploadedFile) -> Draft:
    """Store the uploaded file and read its headers. TableError (the file deleted again) when it cannot be read."""
    original = Path(upload.name or "import.csv").name
    name = default_storage.save(f"imports/{timezone.now():%Y/%m}/{get_valid_filename(original)}", upload)
    draft = Draft(token=secrets.token_urlsafe(12), file=name, original_name=original[:255], format="", encoding="",
                  columns=[], mapping={}, source="")
    try:
        draft_read(draft, encoding="")
    except TableError:
        default_storage.delete(name)
        raise
    draft.source = _source_guess(draft)
    return draft


def draft_read(draft: Draft, *, encoding: str) -> None:
    """(Re)read the file's headers, in `encoding` or the detected one; the mapping kept where its columns
    are still there, else guessed. TableError when the file cannot be read so."""
    draft.encoding = encoding
    with draft_table(draft) as table:
        draft.format, draft.encoding, draft.columns = table.format, table.encoding, list(table.columns)
    if not draft.columns:
        raise TableError(_("The file has no header row: its first row must name the columns."))
    kept = {key: column for key, column in draft.mapping.items() if column in draft.columns}
    draft.mapping = kept or mapping_guess(draft.columns)


def _source_guess(draft: Draft) -> str:
    """As the command names it, so that a file brought in either way is one source: "cfpb" for a CFPB
    export, else the file's name (which a later file of the same journal should be given again)."""
    if draft.mapping == mapping_guess(list(CFPB.values())):
        return "cfpb"
    return Path(draft.original_name).stem[:100] or "import"


def draft_preview(draft: Draft) -> list[PreviewRow]:
    with draft_table(draft) as table:
        return rows_preview(table, draft.mapping, limit=PREVIEW_ROWS)


def mapping_apply(draft: Draft, saved: ImportMapping) -> list[str]:
    """Take a saved mapping's columns for this file; returns the columns it names that the file lacks."""
    draft.mapping = {key: column for key, column in saved.columns.items() if column in draft.columns}
    draft.saved_mapping = saved.pk
    return sorted({column for column in saved.columns.values() if column not in draft.columns})


def drafts_of(session: SessionBase) -> dict[str, dict]:
    return session.get(DRAFTS_KEY, {})


def draft_keep(session: SessionBase, draft: Draft) -> None:
    """Keep the draft in the session; the oldest ones past DRAFTS_KEPT are dropped with their files."""
    drafts = {token: kept for token, kept in drafts_of(session).items() if token != draft.token}
    drafts[draft.token] = dataclasses.asdict(draft)
    for token in list(drafts)[:-DRAFTS_KEPT]:
        default_storage.delete(drafts.pop(token)["file"])
    session[DRAFTS_KEY] = drafts


def draft_get(session: SessionBase, token: str) -> Draft | None:
    kept = drafts_of(session).get(token)
    return Draft(**kept) if kept else None


def draft_forget(session: SessionBase, token: str, *, delete_file: bool) -> None:
    drafts = dict(drafts_of(session))
    kept = drafts.pop(token, None)
    if kept and delete_file:
        default_storage.delete(kept["file"])
    session[DRAFTS_KEY] = drafts


def mapping_save(actor, *, name: str, columns: dict[str, str]) -> ImportMapping:
    """Save the mapping by name for the next file (replacing one of that name), audited like the admin's changes."""
    with transaction.atomic():
        saved = ImportMapping.objects.select_for_update().filter(name=name).first()
        if saved is None:
            saved = ImportMapping.objects.create(name=name, columns=columns, created_by=actor)
            audit_record_object(actor=actor, action=Action.CREATE, obj=saved, changes={"columns": [None, columns]})
        elif saved.columns != columns:
            before, saved.columns = saved.columns, columns
            saved.save(update_fields=["columns"])
            audit_record_object(actor=actor, action=Action.CHANGE, obj=saved, changes={"columns": [before, columns]})
    return saved
