from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint


class InboundStatus(models.TextChoices):
    QUEUED = "queued", _("Stored, waiting for the worker")
    RECEIVED = "received", _("Received, not processed yet")
    REGISTERED = "registered", _("Registered as a new complaint")
    THREADED = "threaded", _("Added to an existing complaint")
    IGNORED = "ignored", _("Ignored (auto-reply, bounce, mailing list)")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundMessageQuerySet(models.QuerySet):
    def stored_under(self, source: str, reference: str) -> "InboundMessageQuerySet":
        """The message a source delivered under this reference, found by the unique index. The query
        repeats the index's condition (a reference that is not empty): SQLite uses a partial index only
        then, and would otherwise read every message stored."""
        return self.filter(source=source, external_ref=reference).exclude(external_ref="").order_by()


class InboundMessage(models.Model):
    """Everything a channel receives, stored as it arrived before anything parses it."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=100, help_text=_("Mailbox, webhook source, API, web form."))
    external_ref = models.CharField(
        _("reference at the source"), max_length=300, blank=True,
        help_text=_("Message-ID, update ID: a second delivery with the same reference is a replay."),
    )
    raw = models.BinaryField(_("raw content"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InboundStatus.choices, default=InboundStatus.RECEIVED,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    # When a worker took a numbered submission: a worker killed before committing its card leaves
    # it claimed, and another takes it over once AMENDS_INBOUND_CLAIM_TIMEOUT has passed.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages",
        verbose_name=_("complaint"),
    )
    # A submission that is certain to become a new card (web form, API) gets the card's number and
    # tracking code when it is stored; the card is created with them by the worker, or at once when
    # someone asks for that number first.
    number = models.CharField(_("number of the card"), max_length=20, blank=True, db_index=True)
    tracking_code = models.CharField(max_length=32, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("submitted by"),
    )

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_ref"], condition=~Q(external_ref=""),
                name="intake_inbound_unique_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.source} #{self.pk}"


class OutboundMessage(models.Model):
    """What Amends sent a customer: acknowledgements and answers, kept for threading replies."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="outbound_messages")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient = models.CharField(max_length=300)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    # "acknowledgement" for the automatic one, so a repeated job never sends it twice.
    purpose = models.CharField(max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # The retry job looks for the messages not sent yet: a few, among every message ever sent.
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbound_unsent")]
        verbose_name = _("message to a customer")
        verbose_name_plural = _("messages to customers")

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.recipient}"


class OutboundAttachment(models.Model):
    """A file sent with an e-mail (the answer letter's PDF), kept so that a retry sends the same bytes."""

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Mailbox(models.Model):
    """An IMAP mailbox the worker polls for complaints."""

    name = models.SlugField(_("name"), unique=True)
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("SSL/TLS"), default=True)
    username = models.CharField(_("user name"), max_length=200)
    password = models.CharField(_("password"), max_length=200)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("move processed mail to"), max_length=200, blank=True,
        help_text=_("Leave empty to only mark processed mail as seen."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookKind(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram Bot API")
    VK = "vk", _("VK Callback API")
    GENERIC = "generic", _("Generic JSON")


class WebhookSource(models.Model):
    """A messenger or social network posting to /intake/webhook/<name>/, and how to answer back."""

    name = models.SlugField(_("name"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=WebhookKind.choices)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.MESSENGER,
    )
    secret = models.CharField(
        _("signing secret"), max_length=200,
        help_text=_("For Telegram also the setWebhook secret_token: only A-Z a-z 0-9 _ - (1-256 characters)."),
    )
    confirmation_code = models.CharField(
        _("confirmation code"), max_length=100, blank=True,
        help_text=_("VK only: the string VK expects back from the confirmation request."),
    )
    outbound_base_url = models.URLField(_("outbound API base URL"), blank=True)
    outbound_token = models.CharField(_("outbound API token"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook source")
        verbose_name_plural = _("webhook sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
