"""The complaint register exports a user asked for: what to export, how far the worker is, the file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def export_path(instance: "RegisterExport", filename: str) -> str:
    # Unguessable: the file holds personal data and is only ever served through the download view.
    return f"exports/{uuid.uuid4().hex}/{filename}"


class RegisterExport(models.Model):
    class Source(models.TextChoices):
        LIST = "list", _("Complaint list")
        DRILL = "drill", _("Cards behind a figure")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("register export", "Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="register_exports")
    source = models.CharField(max_length=10, choices=Source.choices)
    query = models.TextField(blank=True)  # the list's or the drill-down's query string, rebuilt at run time
    format = models.CharField(max_length=4, choices=Format.choices)
    language = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.source} {self.format} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)
