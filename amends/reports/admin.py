from django.contrib import admin

from amends.audit.admin import AuditedAdmin

from .models import WeeklySummarySent


@admin.register(WeeklySummarySent)
class WeeklySummarySentAdmin(AuditedAdmin):
    """To see who got which week; deleting a row sends that week to that user again on the next run."""

    list_display = ["week", "user", "claimed_at", "sent_at"]
    list_filter = ["week"]
    readonly_fields = ["week", "user", "claimed_at", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False
