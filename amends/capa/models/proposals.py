from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Cause, Complaint
from amends.customers.models import Product, Supplier

from ..choices import ProposalKind, ProposalStatus
from .nonconformities import Nonconformity

USER = settings.AUTH_USER_MODEL


class Proposal(models.Model):
    """A nonconformity the worker proposes to the head of the QMS from the data; `key` makes it once
    per finding (a norm per period, a cluster per its first card, a cause per quarter)."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True,
    )
    # What the worker found, as data (counts, norm, period, quarters), worded on the page.
    params = models.JSONField(default=dict, blank=True)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    cause = models.ForeignKey(Cause, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    complaints = models.ManyToManyField(Complaint, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason for dismissing"), blank=True)
    nonconformity = models.ForeignKey(
        Nonconformity, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals",
    )

    class Meta:
        verbose_name = _("proposed nonconformity")
        verbose_name_plural = _("proposed nonconformities")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.key
