"""The analysis admin. Each part appends its own ModelAdmin classes below."""

from django.contrib import admin
from django.utils import timezone

from amends.audit.admin import AuditedAdmin

from .models import MonthlyOrders


@admin.register(MonthlyOrders)
class MonthlyOrdersAdmin(AuditedAdmin):
    list_display = ("month", "orders", "entered_by", "entered_at")
    date_hierarchy = "month"
    readonly_fields = ("entered_by", "entered_at")

    def save_model(self, request, obj, form, change):
        obj.entered_by, obj.entered_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
