from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Department
from amends.complaints.event_texts import event_text
from amends.complaints.models import Cause, Complaint
from amends.customers.models import Component, Product, Supplier

from ..choices import NonconformityKind, NonconformityState, RecordEventKind, Source

USER = settings.AUTH_USER_MODEL


class NonconformitySequence(models.Model):
    """The last nonconformity number issued in a year; its row is locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Nonconformity(models.Model):
    """A nonconformity (ISO 9001 clause 10.2), actual or potential, with its own number and lifecycle."""

    number = models.CharField(_("nonconformity No."), max_length=20, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=10, choices=NonconformityKind.choices, default=NonconformityKind.ACTUAL,
    )
    state = models.CharField(
        _("state"), max_length=20, choices=NonconformityState.choices, default=NonconformityState.OPEN,
        editable=False, db_index=True,
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL, editable=False)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    # What it concerns (any may be empty).
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"),
    )
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("component"),
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformities",
        verbose_name=_("supplier"),
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"),
    )
    process = models.CharField(_("process"), max_length=200, blank=True)
    cause = models.ForeignKey(
        Cause, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cause"),
    )
    complaints = models.ManyToManyField(
        Complaint, through="NonconformityComplaint", related_name="nonconformities", verbose_name=_("complaints"),
    )

    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_nonconformities",
        verbose_name=_("owner"),
    )
    opened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    root_cause = models.TextField(_("root cause"), blank=True)
    # The deadlines of the steps before the actions (the actions have their own due dates).
    analysis_due = models.DateField(_("root cause analysis due"), null=True, blank=True)
    plan_due = models.DateField(_("actions planned by"), null=True, blank=True)
    # The last escalation step fired for each of those deadlines (0: none); raised only by the
    # conditional UPDATE of capa/sweep.py.
    analysis_level = models.PositiveSmallIntegerField(default=0, editable=False)
    plan_level = models.PositiveSmallIntegerField(default=0, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # Each "not effective" check reopens it; counted so that a record that keeps coming back shows it.
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    # The last reopening: the new analysis and plan deadlines run from it, not from the opening.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def stage_started_at(self):
        """When the analysis and plan deadlines began to run: the last reopening, else the opening."""
        return self.reopened_at or self.opened_at


class NonconformityComplaint(models.Model):
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="links")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="nonconformity_links")
    linked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("complaint of a nonconformity")
        verbose_name_plural = _("complaints of nonconformities")
        constraints = [
            models.UniqueConstraint(fields=["nonconformity", "complaint"], name="capa_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.nonconformity_id} ~ {self.complaint_id}"


def record_kind(kind: str) -> str:
    """A nonconformity entry's kind in complaints' wording registry, apart from the card's kinds."""
    return f"nonconformity.{kind}"


class RecordEventAppendOnly(Exception):
    pass


class NonconformityEvent(models.Model):
    """One entry of a nonconformity's own timeline, append-only. Worded from `code` and `params` in
    the reader's language by complaints' wording registry, under the kind `record_kind(kind)`
    (capa/events.py); `text` keeps the writer's wording."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=RecordEventKind.choices)
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("nonconformity event")
        verbose_name_plural = _("nonconformity events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.nonconformity_id} {self.kind} {self.code}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RecordEventAppendOnly("A nonconformity's timeline is append-only.")
        super().save(*args, **kwargs)

    @property
    def text_display(self) -> str:
        """The entry worded for the reader, or the stored text when no renderer reads it."""
        return event_text(record_kind(self.kind), self.code, self.params) or self.text
