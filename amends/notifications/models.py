"""Notifications to staff: what happened (template name + context, rendered in the reader's language
when shown or sent) and how far its e-mail got."""

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rendered:
    """A notification's text in its reader's language (rendering.render_notification)."""

    subject: str
    body: str


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent (no e-mail or e-mail turned off)")
    FAILED = "failed", _("Failed")


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Each notification at once")
    HOURLY = "hourly", _("One digest an hour")
    DAILY = "daily", _("One digest a day")
    OFF = "off", _("No e-mail, only here")


# What each kind of notification is about, for the list's filter; the kinds are the ones
# notify() is given (a sweep's are deadline_<step>).
KIND_LABELS = {
    "assigned": _("Assigned to you"),
    "plan_submitted": _("Measures to approve"),
    "measure_approved": _("Measures to carry out"),
    "measure_done": _("Measure done"),
    "plan_returned": _("Plan returned"),
    "customer_message": _("Message from the customer"),
    "customer_file": _("File from the customer"),
    "internal_filed": _("Internal complaint"),
    "deadline_at_risk": _("Deadline at risk"),
    "deadline_breached": _("Deadline missed"),
    "deadline_escalated": _("Deadline escalated"),
    "compensation_pending": _("Compensation to approve"),
    "compensation_decided": _("Compensation approved or refused"),
    "capa_proposal": _("Nonconformity proposed"),
    "norm_exceeded": _("Supplier or manufacturer norm exceeded"),
    "yearly_statement_due": _("Yearly statement to approve"),
    "yearly_statement_overdue": _("Yearly statement overdue"),
}


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)
    # Idempotency: the same (user, key) twice is one notification.
    key = models.CharField(max_length=200)
    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications",
    )
    # A notice about several cards (a sweep's grouped escalations) has no `complaint` but lists
    # their numbers here, each with a space either side, for the filter by card.
    card_numbers = models.TextField(blank=True, default="")
    template = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Tells a notify_many call which rows it inserted (the others existed already).
    batch = models.UUIDField(db_index=True)

    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A worker owns a row from claimed_at until the claim times out; claim_token says which worker.
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    # Not stored: the text notification_page renders for display.
    rendered: Rendered

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user_key")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["created_at"], condition=Q(email_status="pending"), name="notification_mail_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.key}"


class NotificationPreference(models.Model):
    """How a user wants their notifications by e-mail; no row means each one at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference",
    )
    email = models.CharField(_("e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    daily_hour = models.PositiveSmallIntegerField(
        _("hour of the daily digest"), default=8, validators=[MaxValueValidator(23)],
        help_text=_("In the company's time zone, 0-23."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.email}"
