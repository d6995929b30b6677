"""What deadlines adds to the complaints' pages: the card's deadlines panel with its forms; the
list's due column, its "at risk" / "breached" filter and its sort by the nearest due time."""

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from amends.complaints.access import can_edit_complaint
from amends.complaints.card_page import register_panel
from amends.complaints.list_page import (
    register_list_annotation,
    register_list_column,
    register_list_filter,
    register_list_sort,
)

from .choices import ClockStatus
from .forms import ExtensionForm, PresetForm, WaitingForm
from .models import CardPreset, Clock
from .selectors import annotate_list_clocks, card_clocks, card_clocks_prefetch, due_page_keys, filter_deadline_status


def extendable(clock: Clock | None) -> bool:
    """The clock's policy allows one extension and it has not been used (clock_extend decides)."""
    return bool(
        clock is not None and clock.is_running and clock.policy is not None
        and clock.policy.extension is not None and not clock.extension_reason
    )


def deadline_panel(request, complaint, bound) -> dict:
    """Every clock and measure of the card with its status; for those who may edit the card, the
    waiting, preset and extension forms (a submitted one comes in `bound`). A constant number of
    queries, whatever the number of clocks."""
    card_clocks_prefetch(complaint)
    can_edit = can_edit_complaint(request.user, complaint)
    rows = []
    for deadline in card_clocks(complaint):
        clock, measure = deadline.clock, deadline.measure
        if clock is not None:
            met_at = clock.met_at
        else:
            assert measure is not None  # each line of card_clocks is a clock's or a measure's
            met_at = measure.done_at
        form = None
        if clock is not None:
            form = bound.get(f"extend-{clock.pk}")
            if form is None and can_edit and extendable(clock):
                form = ExtensionForm(clock_id=clock.pk)
        rows.append({
            "deadline": deadline,
            "met_at": met_at,
            "late_by": met_at - deadline.due_at if met_at and met_at > deadline.due_at else None,
            "stopped_at": clock.stopped_at if clock is not None else None,
            "extension_reason": clock.extension_reason if clock is not None else "",
            "extend_form": form,
        })
    wait = complaint.customer_waits.filter(ended_at__isnull=True).select_related("started_by").first()
    preset = CardPreset.objects.filter(complaint=complaint).first()
    return {
        "rows": rows,
        "wait": wait,
        "preset": preset,
        "can_edit": can_edit,
        "waiting_form": bound.get("waiting") or (WaitingForm() if can_edit and wait is None else None),
        "preset_form": bound.get("preset") or (PresetForm() if can_edit and preset is None else None),
    }


def deadline_filter_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("Card deadline"), required=False,
        choices=[("", _("Any")), (ClockStatus.AT_RISK, _("At risk")), (ClockStatus.BREACHED, _("Breached"))],
        # Shown as the field's tooltip: the list's filters have no room for a line of help.
        widget=forms.Select(attrs={"title": _(
            "The card's own deadlines (first response, decision, answer): near their end, or passed. "
            "Measures past their due date: “Measure overdue”."
        )}),
    )


def register() -> None:
    register_panel("deadlines", "deadlines/panel.html", column="side", order=10, context=deadline_panel)
    register_list_annotation("deadlines", annotate_list_clocks)
    register_list_filter("deadline", field=deadline_filter_field, apply=filter_deadline_status)
    # Cards without a ticking clock come last either way.
    register_list_sort("due", F("nearest_due").asc(nulls_last=True), F("nearest_due").desc(nulls_last=True),
                       pager=due_page_keys)
    register_list_column("due", _("Due"), "deadlines/due_cell.html", sort="due")
