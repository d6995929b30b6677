from django.contrib import admin

from amends.audit.admin import AuditedAdmin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    """Read-only: for looking into why a mail did not go."""

    list_display = ("created_at", "user", "kind", "complaint", "read_at", "email_status", "attempts", "emailed_at")
    list_filter = ("email_status", "kind")
    search_fields = ("user__username", "user__email", "complaint__number", "key")
    list_select_related = ("user", "complaint")
    raw_id_fields = ("user", "complaint")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ("user", "email", "daily_hour")
    list_filter = ("email",)
    raw_id_fields = ("user",)
