"""An answer letter on its way to the customer: one row per channel it is sent on (DOMAIN.md §6)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.intake.models import OutboundMessage

from .letters import Letter

USER = settings.AUTH_USER_MODEL


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", _("Messenger chat")
    TRACKING = "tracking", _("Tracking page")
    POST = "post", _("Post")
    ORAL = "oral", _("Orally (phone or in person)")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """What was sent, how, to whom and whether it left; a failed one stays here, visible, until it does."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20, choices=DeliveryChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=500)
    # The e-mail or messenger message that carries it (intake sends and retries it).
    outbound = models.OneToOneField(
        OutboundMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="delivery",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED, db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The letter's outcome decides the complaint (it took the `answer` step) or is a letter on the way.
    final = models.BooleanField(default=False)
    attachments = models.JSONField(_("attachments sent"), default=list)  # file names
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)  # when it left: the clocks' time
    sent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.letter_id} {self.channel} → {self.recipient}"
