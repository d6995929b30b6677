from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import NormSubject, PeriodKind
from ..periods import Period, period_of


class PeriodForm(forms.Form):
    """The period the norms page shows: its kind and any day in it (the current one by default)."""

    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, required=False)
    day = forms.DateField(label=_("Containing the day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> Period:
        data = self.cleaned_data if self.is_valid() else {}
        return period_of(data.get("kind") or PeriodKind.YEAR, data.get("day") or timezone.localdate())


class NormRowForm(PeriodForm):
    """One row of the norms page, whose cards are listed."""

    subject = forms.ChoiceField(choices=NormSubject.choices)
    supplier = forms.IntegerField(required=False, min_value=1)
