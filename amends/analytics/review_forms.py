"""The monthly meeting's forms: its record, a new decision, a decision's follow-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.forms import DateInput
from amends.core.forms import ListedChoiceField


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), required=False, widget=DateInput)
    attendees = forms.CharField(label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = ListedChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("Done"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
