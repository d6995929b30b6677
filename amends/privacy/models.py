"""What was anonymised, when and on whose word: kept without the personal data it removed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Complaint
from amends.customers.models import Contact


class ErasureKind(models.TextChoices):
    REQUEST = "request", _("On the person's request")
    RETENTION = "retention", _("Retention period over")


class Erasure(models.Model):
    """One erasure: a person's request carried out, or one run of the retention policy.
    `scope` holds counts and card numbers, never a name, an address or a text."""

    kind = models.CharField(_("kind"), max_length=20, choices=ErasureKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("requested by"),
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("E.g. the letter the request came in."))
    created_at = models.DateTimeField(_("carried out at"), auto_now_add=True, db_index=True)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="+", verbose_name=_("contact persons"))
    scope = models.JSONField(_("scope"), default=dict)

    class Meta:
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class AnonymisedCard(models.Model):
    """A card whose personal data is gone; the retention policy skips it."""

    complaint = models.OneToOneField(Complaint, primary_key=True, on_delete=models.CASCADE, related_name="+")
    erasure = models.ForeignKey(Erasure, on_delete=models.PROTECT, related_name="cards")

    def __str__(self) -> str:
        return str(self.complaint_id)
