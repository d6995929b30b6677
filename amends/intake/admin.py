from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin

from .models import InboundMessage, InboundStatus, Mailbox, OutboundMessage, WebhookSource
from .services import inbound_reprocess


@admin.register(InboundMessage)
class InboundMessageAdmin(AuditedAdmin):
    """The quarantine lives here: filter by status, read the reason, process again."""

    list_display = ("pk", "received_at", "channel", "source", "status", "complaint", "reason_short")
    list_filter = ("status", "channel", "source")
    search_fields = ("external_ref", "reason", "complaint__number")
    readonly_fields = [f.name for f in InboundMessage._meta.fields] + ["raw_text"]
    exclude = ("raw",)
    actions = ["reprocess"]

    @admin.display(description=_("reason"))
    def reason_short(self, obj):
        return obj.reason[:120]

    @admin.display(description=_("raw content"))
    def raw_text(self, obj):
        return bytes(obj.raw[:20000]).decode("utf-8", errors="replace")

    @admin.action(description=_("Process the selected messages again"))
    def reprocess(self, request, queryset):
        # A message quarantined after its card was registered (a background job for it was given up)
        # would make a second card.
        results = [inbound_reprocess(m).status for m in queryset.filter(
            status__in=[InboundStatus.QUARANTINED, InboundStatus.RECEIVED], complaint__isnull=True,
        )]
        done = sum(s in (InboundStatus.REGISTERED, InboundStatus.THREADED) for s in results)
        self.message_user(request, _("%(done)d of %(total)d processed.") % {"done": done, "total": len(results)},
                          messages.SUCCESS if done == len(results) else messages.WARNING)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(AuditedAdmin):
    list_display = ("pk", "created_at", "complaint", "channel", "recipient", "subject", "sent_at", "attempts", "error")
    list_filter = ("channel",)
    search_fields = ("complaint__number", "recipient", "message_id")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]

    # The record of what was sent to a customer is evidence: nobody edits or deletes it here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mailbox)
class MailboxAdmin(AuditedAdmin):
    list_display = ("name", "host", "username", "folder", "is_active", "last_polled_at", "last_error")
    readonly_fields = ("last_polled_at", "last_error")


@admin.register(WebhookSource)
class WebhookSourceAdmin(AuditedAdmin):
    list_display = ("name", "kind", "channel", "is_active", "outbound_base_url")
    list_filter = ("kind", "is_active")
