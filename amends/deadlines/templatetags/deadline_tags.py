"""The card's deadlines panel, durations in words, and the list's due column; also filters for
notification texts, whose context is stored as JSON (codes and ISO times)."""

from datetime import datetime, timedelta

from django import template
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.timesince import timeuntil

from amends.complaints.access import can_edit_complaint
from amends.deadlines.choices import ClockKind, ClockStatus
from amends.deadlines.forms import ExtensionForm, PresetForm, WaitingForm
from amends.deadlines.models import CardPreset, Clock
from amends.deadlines.selectors import card_clocks

register = template.Library()


@register.filter
def clock_label(code: str) -> str:
    """A clock's name in the reader's language."""
    return ClockKind(code).label if code in ClockKind.values else code


@register.filter
def as_datetime(value: str) -> datetime | str:
    """An ISO time back into a datetime, so that `date` shows it in the local time zone."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in words in the reader's language, e.g. “1 day, 3 hours”; the sign is ignored."""
    if value is None:
        return ""
    anchor = timezone.now()
    return timeuntil(anchor + abs(value), anchor, depth=2)


def extendable(clock: Clock | None) -> bool:
    """The clock's policy allows one extension and it has not been used (clock_extend decides)."""
    return bool(
        clock is not None and clock.is_running and clock.policy is not None
        and clock.policy.extension is not None and not clock.extension_reason
    )


@register.inclusion_tag("deadlines/panel.html", takes_context=True)
def deadline_panel(context, complaint):
    """Every clock and measure of the card with its status; for those who may edit the card, the
    waiting, preset and extension forms (bound ones come from the deadlines views as
    `deadline_forms`). A constant number of queries, whatever the number of clocks."""
    user = context["request"].user
    bound = context.get("deadline_forms") or {}
    prefetch_related_objects(
        [complaint], Prefetch("clocks", queryset=Clock.objects.select_related("policy")), "measures",
    )
    can_edit = can_edit_complaint(user, complaint)
    rows = []
    for deadline in card_clocks(complaint):
        clock, measure = deadline.clock, deadline.measure
        met_at = clock.met_at if clock is not None else measure.done_at
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
        "complaint": complaint,
        "rows": rows,
        "wait": wait,
        "preset": preset,
        "can_edit": can_edit,
        "waiting_form": bound.get("waiting") or (WaitingForm() if can_edit and wait is None else None),
        "preset_form": bound.get("preset") or (PresetForm() if can_edit and preset is None else None),
        "open_form": next(iter(bound), None),
        "csrf_token": context.get("csrf_token"),
    }


def due_status(nearest_due: datetime | None, nearest_at_risk: datetime | None, now: datetime) -> str:
    """The list's due column: breached once the nearest due time passed, at risk once any ticking
    clock passed its at-risk time, else on track."""
    if nearest_due is None:
        return ""
    if nearest_due <= now:
        return ClockStatus.BREACHED
    if nearest_at_risk is not None and nearest_at_risk <= now:
        return ClockStatus.AT_RISK
    return ClockStatus.ON_TRACK


@register.filter
def nearest_status(complaint) -> str:
    """The status of a listed card's nearest due time (annotated by the list's query)."""
    return due_status(
        getattr(complaint, "nearest_due", None), getattr(complaint, "nearest_at_risk", None), timezone.now(),
    )


@register.filter
def status_label(status: str) -> str:
    return ClockStatus(status).label if status in ClockStatus.values else ""
