"""The suppliers list's and a scorecard's choices, read from the query string."""

from datetime import date, datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import PeriodKind
from ..periods import Period, current_period, period_of
from ..scorecard import DEFAULT_SORT, SORTS, Standing, recent_periods

SORT_LABELS = {
    "supplier": _("Supplier"), "complaints": _("Complaints"), "counted": _("Counted in the norm"),
    "share": _("Justified share"), "status": _("Norm status"), "nonconformities": _("Open nonconformities"),
    "actions": _("Open actions"), "compensation": _("Compensation given"),
}


class PeriodForm(forms.Form):
    """A kind of period (the calendar year unless chosen) and one of its recent periods (the current one)."""

    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, required=False)
    start = forms.ChoiceField(label=_("Which"), required=False)

    def __init__(self, data=None, *, now: datetime | None = None) -> None:
        super().__init__(data)
        self.now = now or timezone.now()
        kind = str(self.data.get("kind")) if self.data.get("kind") in PeriodKind.values else PeriodKind.YEAR
        self.fields["start"].choices = [  # type: ignore[attr-defined]
            (period.start.isoformat(), period.label) for period in reversed(recent_periods(kind, self.now))
        ]

    def period(self) -> Period:
        """The period chosen; the current one of the kind for anything else."""
        kind = (self.cleaned_data.get("kind") if self.is_valid() else "") or PeriodKind.YEAR
        start = self.cleaned_data.get("start") if self.is_valid() else ""
        return period_of(kind, date.fromisoformat(start)) if start else current_period(kind, self.now)


class SuppliersForm(PeriodForm):
    status = forms.ChoiceField(label=_("Norm status"), choices=[("", _("Any")), *Standing.CHOICES], required=False)
    with_open = forms.BooleanField(label=_("With open nonconformities"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        (f"{sign}{name}", f"{SORT_LABELS[name]} {arrow}")
        for name in SORTS for sign, arrow in (("-", "↓"), ("", "↑"))
    ])

    def choices(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "sort": data.get("sort") or DEFAULT_SORT, "status": data.get("status") or "",
            "with_open": bool(data.get("with_open")),
        }
