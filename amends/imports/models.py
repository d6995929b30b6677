"""An import of a journal: its file, the column mapping, its progress and outcome, and the source rows
already brought in (the same file twice creates nothing new)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Phase(models.TextChoices):
    """What a running import is doing."""

    ROWS = "rows", _("Importing the rows")
    INDEXES = "indexes", _("Building the card list's indexes")
    SEARCH = "search", _("Adding the cards to the search index")


class ImportMapping(models.Model):
    """A saved mapping of a journal's columns to the card's fields, chosen again for the next file."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # {card field key (mapping.FIELDS): the file's column header}
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One file brought in, by the command or the upload screen (run by the worker)."""

    # Source rows are unique within a source: the CFPB's Complaint ID, a journal's own row number column.
    source = models.CharField(_("source"), max_length=100)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300, blank=True)
    # A file the command reads where it lies (never copied into the media storage), instead of `file`.
    path = models.CharField(_("file on the server"), max_length=1000, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=10, blank=True)  # csv, xlsx
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    mapping = models.ForeignKey(ImportMapping, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="runs", verbose_name=_("mapping"))
    columns = models.JSONField(_("columns"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    # The last row number committed: a run taken up again starts after it.
    committed_row = models.PositiveIntegerField(_("last row committed"), default=0)
    created = models.PositiveIntegerField(_("cards created"), default=0)
    skipped = models.PositiveIntegerField(_("rows already imported"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rejects = models.FileField(_("rejects"), upload_to="imports/rejects/%Y/%m/", max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the run added besides cards: {"categories": [names], "products": [...], "organisations": n, "contacts": n}.
    references = models.JSONField(_("reference data created"), default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("started by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # When the rows were in and the card list's indexes built: the cards are in the list, on their pages
    # and in the reports; search finds them from `finished_at` on.
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # When it last committed: a run that stops moving on is taken as stopped (imports/indexes.py).
    progressed_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.ROWS)
    # How many indexes of the cards' tables it set aside and has not built again yet.
    indexes_set_aside = models.PositiveSmallIntegerField(_("indexes set aside"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.original_name or self.source


class ImportedRow(models.Model):
    """A source row that became a card: what makes an import idempotent and resumable."""

    source = models.CharField(max_length=100)
    row_id = models.CharField(max_length=100)
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+")
    # The run and row that brought it in: a later row of the same run with its ID is a repeat, rejected.
    # Not indexed: read only through the row's own (source, row ID), and every index slows the import.
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            db_index=False)
    row_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "row_id"], name="imports_row_once")]

    def __str__(self) -> str:
        return f"{self.source}:{self.row_id}"


class ImportReject(models.Model):
    """A row that did not become a card, and why; committed with its chunk, so the rejects file of a
    run stopped and taken up again still lists every one."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="reject_rows")
    row_number = models.PositiveIntegerField()
    reason = models.TextField()
    cells = models.JSONField(default=list)  # the row as read, in the file's column order

    class Meta:
        ordering = ["run", "row_number"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.row_number}"


class SetAsideIndex(models.Model):
    """An index of the cards' tables dropped while a large import inserts (imports/indexes.py), with what
    builds it again; recorded in the transaction that drops it, removed in the one that builds it."""

    table = models.CharField(max_length=100)
    name = models.CharField(max_length=200, unique=True)
    definition = models.TextField()
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # "host:pid" of the process running the import: gone, its indexes are built again by the next one.
    process = models.CharField(max_length=100)
    set_aside_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
