"""Compensation prepared in advance as a catalogue, granted within each role's limit (DOMAIN.md §6)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.accounts.roles import Role
from amends.complaints.models import Complaint

from ..choices import CompensationKind, GrantStatus

USER = settings.AUTH_USER_MODEL


class CompensationOption(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=CompensationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # What it typically costs the company; a grant states its own value.
    cost = models.DecimalField(_("cost to the company"), max_digits=12, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("compensation option")
        verbose_name_plural = _("compensation options")

    def __str__(self) -> str:
        return self.name


class CompensationLimit(models.Model):
    """A role may grant an option up to `limit` on its own; a role with no row may not grant it."""

    option = models.ForeignKey(CompensationOption, on_delete=models.CASCADE, related_name="limits")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Empty: no limit (the QMS head, who approves the others' grants).
    limit = models.DecimalField(
        _("limit without approval"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Empty: without limit."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["option", "role"], name="answers_limit_one_per_role")]
        verbose_name = _("limit")
        verbose_name_plural = _("limits")

    def __str__(self) -> str:
        limit = _("without limit") if self.limit is None else f"≤ {self.limit}"
        return f"{self.option}: {self.get_role_display()} {limit}"


class CompensationGrant(models.Model):
    """Compensation for one card: what, its value, how and by when, who granted it and who approved it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="compensations")
    option = models.ForeignKey(CompensationOption, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=300, help_text=_("e.g. bank transfer to the card it was paid by"))
    due_date = models.DateField(_("to be given by"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["granted_at", "pk"]
        verbose_name = _("compensation")
        verbose_name_plural = _("compensation")

    def __str__(self) -> str:
        return f"{self.option} {self.value}"
