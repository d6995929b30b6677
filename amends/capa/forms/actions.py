"""The forms of the record's "actions" section: plan, report, cancel, reschedule, check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.core.forms import ListedChoiceField

from ..choices import ActionKind
from ..models import CapaSettings

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    owner = ListedChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices, initial=ActionKind.CORRECTIVE)
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    check_on = forms.DateField(
        label=_("Effectiveness check on"), widget=DATE, required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check_on"].help_text = _("Empty: %(days)s days after the due date.") % {
            "days": CapaSettings.current().effectiveness_days,
        }


class ActionForm(forms.Form):
    """A form repeated per action: its fields' ids carry the action's, so that they stay unique."""

    def __init__(self, *args, action_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_%s_{action_id}")
        super().__init__(*args, **kwargs)


class ReportForm(ActionForm):
    report = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=_("The action is done"), required=False)


class CancelForm(ActionForm):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=500)


class RescheduleForm(ActionForm):
    due_date = forms.DateField(label=_("New due date"), widget=DATE)
    check_on = forms.DateField(
        label=_("Effectiveness check on"), widget=DATE, required=False,
        help_text=_("Empty: the set number of days after the due date."),
    )


class CheckForm(ActionForm):
    effective = forms.TypedChoiceField(
        label=_("Result of the check"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("Effective")), ("no", _("Not effective: reopen the nonconformity"))],
    )
    comment = forms.CharField(label=_("What the evidence shows"), widget=forms.Textarea(attrs={"rows": 3}))
