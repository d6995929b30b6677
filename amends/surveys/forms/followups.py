from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import FollowUpKind, FollowUpState, OrganisationalMeasure
from ..models import FollowUp

SHOWN_CHOICES = [
    ("open", FollowUpState.OPEN.label), ("overdue", _("Overdue")),
    ("done", FollowUpState.DONE.label), ("all", _("All")),
]


class FollowUpFilterForm(forms.Form):
    shown = forms.ChoiceField(label=_("Show"), choices=SHOWN_CHOICES, required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)


class FollowUpCloseForm(forms.Form):
    """The result: the measures ticked (a low K), why and what the customer suggests (a call-back)."""

    measures = forms.MultipleChoiceField(
        label=_("Organisational measures"), choices=OrganisationalMeasure.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Why they would not recommend us"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False)
    suggestion = forms.CharField(label=_("Their suggestion"), widget=forms.Textarea(attrs={"rows": 3}),
                                 required=False)
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, followup: FollowUp, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if followup.kind == FollowUpKind.CALL_BACK:
            del self.fields["measures"]
        else:
            del self.fields["reason"]
