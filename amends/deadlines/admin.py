from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from amends.audit.admin import AuditedAdmin
from amends.complaints.choices import FINAL_STATES
from amends.core.errors import AccessDenied

from .calendar import check_intervals
from .models import (
    BusinessCalendar,
    CalendarException,
    CardDeadlines,
    DeadlinePolicy,
    EscalationStep,
    WorkingHours,
)
from .selectors import annotate_nearest_due
from .services import deadlines_recompute


class WorkingHoursFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Overlaps are found across the rows being saved together, not only against the stored ones."""
        super().clean()
        check_intervals(
            (form.cleaned_data["weekday"], form.cleaned_data.get("start"), form.cleaned_data.get("end"))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and "weekday" in form.cleaned_data
        )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 1


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    list_display = ("name", "country", "time_zone")
    inlines = [WorkingHoursInline, CalendarExceptionInline]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedAdmin):
    list_display = (
        "clock", "preset", "channel", "importance", "key_accounts_only", "investigation_only",
        "allowance", "basis", "calendar", "met_on_registration", "is_active",
    )
    list_filter = ("clock", "preset", "basis", "is_active")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Clocks keep a link to the policy they started under; switch a policy off instead.
        return False


@admin.register(EscalationStep)
class EscalationStepAdmin(AuditedAdmin):
    list_display = ("level", "percent", "notify_responsible", "notify_qms_heads", "notify_managers")


@admin.register(CardDeadlines)
class CardDeadlinesAdmin(AuditedAdmin):
    """Open cards with their nearest deadline; the place to recompute them after a policy change."""

    list_display = ("number", "received_at", "channel", "importance", "state", "nearest_due")
    list_filter = ("channel", "importance", "state")
    search_fields = ("number",)
    actions = ["recompute"]

    def get_queryset(self, request):
        return annotate_nearest_due(super().get_queryset(request).exclude(state__in=FINAL_STATES))

    @admin.display(description=_("nearest due"), ordering="nearest_due")
    def nearest_due(self, obj):
        return obj.nearest_due

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Recompute deadlines with the current policies"))
    def recompute(self, request, queryset) -> None:
        try:
            count = deadlines_recompute(queryset.select_related("organisation"), request.user)
        except AccessDenied as denied:
            self.message_user(request, str(denied), messages.ERROR)
            return
        self.message_user(request, ngettext(
            "Deadlines recomputed on %(count)d open card.", "Deadlines recomputed on %(count)d open cards.", count,
        ) % {"count": count}, messages.SUCCESS)
