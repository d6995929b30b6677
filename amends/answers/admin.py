from django.contrib import admin

from amends.audit.admin import AuditedAdmin

from .models import CompensationLimit, CompensationOption


class CompensationLimitInline(admin.TabularInline):
    """A role with no row may not grant the option; an empty limit is without limit."""

    model = CompensationLimit
    extra = 1


@admin.register(CompensationOption)
class CompensationOptionAdmin(AuditedAdmin):
    list_display = ("name", "kind", "cost", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "description")
    inlines = [CompensationLimitInline]
