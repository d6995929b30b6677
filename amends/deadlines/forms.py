"""The card's deadline forms. Reasons are not required here: the services refuse an empty one
with their own message, which the card shows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Preset


class WaitingForm(forms.Form):
    prefix = "waiting"
    reason = forms.CharField(
        label=_("What are we waiting for from the customer?"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
        help_text=_("The deadlines pause until the customer replies or the wait is ended."),
    )


class PresetForm(forms.Form):
    prefix = "preset"
    preset = forms.ChoiceField(
        label=_("Statutory terms"), choices=[("", "—"), *Preset.choices], required=False,
        widget=forms.Select(attrs={"required": True}),
        help_text=_("Replaces the decision deadline; counted from the day the demand was presented."),
    )


class ExtensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the extension"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )

    def __init__(self, *args, clock_id: int, **kwargs):
        kwargs.setdefault("prefix", f"extend-{clock_id}")
        super().__init__(*args, **kwargs)
