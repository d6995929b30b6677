"""The CAPA admin. Nonconformities are read here, never written: a record changes only through its
services, which keep its timeline (the record's page is where it is worked on). Each part appends
its own ModelAdmin classes below."""

from django.contrib import admin
from django.urls import reverse

from amends.audit.admin import AuditedAdmin

from .models import Nonconformity, NonconformityComplaint, NonconformityEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class NonconformityComplaintInline(ReadOnlyInline):
    model = NonconformityComplaint
    fields = ("complaint", "linked_by", "linked_at")
    readonly_fields = fields


class NonconformityEventInline(ReadOnlyInline):
    model = NonconformityEvent
    fields = ("at", "actor", "kind", "text")
    readonly_fields = fields


@admin.register(Nonconformity)
class NonconformityAdmin(AuditedAdmin):
    list_display = ("number", "title", "state", "kind", "source", "owner", "supplier", "opened_at")
    list_filter = ("state", "kind", "source")
    search_fields = ("number", "title")
    list_select_related = ("owner", "supplier")
    date_hierarchy = "opened_at"
    inlines = [NonconformityComplaintInline, NonconformityEventInline]

    def has_add_permission(self, request) -> bool:
        return False  # opened on the register (capa:new), which numbers it and starts its timeline

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an ISO 9001 record is kept

    def view_on_site(self, obj: Nonconformity) -> str:
        return reverse("capa:record", args=[obj.number])
