"""The root cause section's forms; the services give the messages for bad input."""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import Category6M
from ..root_cause import CAUSE_LENGTH, MAX_WHYS

# Blank steps shown below the chain, so that it can grow without a second visit.
SPARE_STEPS = 2
SHOWN_AT_LEAST = 5


class WhysForm(forms.Form):
    """The whole chain at once, step by step: why?, because …; blank steps are dropped."""

    prefix = "whys"

    def __init__(self, *args, chain: Sequence[tuple[str, str]] = (), **kwargs):
        initial = {}
        for position, (why, because) in enumerate(chain, start=1):
            initial[f"why_{position}"], initial[f"because_{position}"] = why, because
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for position in range(1, MAX_WHYS + 1):
            self.fields[f"why_{position}"] = forms.CharField(
                label=_("Why?"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"because_{position}"] = forms.CharField(
                label=_("Because"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.shown = min(MAX_WHYS, max(SHOWN_AT_LEAST, len(chain) + SPARE_STEPS))

    def steps(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data[f"why_{n}"], data[f"because_{n}"]) for n in range(1, MAX_WHYS + 1)]

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        """The steps shown: the chain so far and a few blank ones, and any step posted beyond them."""
        shown = self.shown
        if self.is_bound:
            posted = [n for n in range(1, MAX_WHYS + 1) if self.data.get(self.add_prefix(f"why_{n}"), "").strip()
                      or self.data.get(self.add_prefix(f"because_{n}"), "").strip()]
            shown = max([shown, *posted])
        return [(n, self[f"why_{n}"], self[f"because_{n}"]) for n in range(1, shown + 1)]


class FishboneCauseForm(forms.Form):
    prefix = "fishbone"
    category = forms.ChoiceField(label=_("Category (bone)"), choices=Category6M.choices)
    text = forms.CharField(label=_("Cause"), max_length=CAUSE_LENGTH)
    is_root = forms.BooleanField(label=_("Confirmed as a root cause"), required=False)


class AnalysisForm(forms.Form):
    prefix = "analysis"
    root_cause = forms.CharField(
        label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the 5 Whys and the fishbone led to; the actions will be planned against it."),
    )
