from django.contrib import admin

from amends.audit.admin import AuditedAdmin

from .models import Category, Cause, Complaint, Measure, TimelineEvent


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("__str__", "name", "name_en", "parent", "is_active")
    list_filter = ("parent", "is_active")
    search_fields = ("name", "name_en")


@admin.register(Cause)
class CauseAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "kind", "is_active")
    list_filter = ("kind",)


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    can_delete = False
    readonly_fields = ("description", "executor", "due_date", "approved_by", "approved_at", "report", "done_at")


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    can_delete = False
    fields = (
        "created_at", "kind", "actor", "transition", "from_state", "to_state", "field", "old_value",
        "new_value", "code", "reference", "text",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(AuditedAdmin):
    """Read-only here: cards change through the services, so every change reaches the timeline."""

    list_display = ("number", "received_at", "channel", "state", "importance", "responsible")
    list_filter = ("state", "channel", "importance", "origin")
    search_fields = ("number", "wording")
    inlines = [MeasureInline, TimelineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
