from django import forms
from django.utils.translation import gettext_lazy as _

from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.core.forms import ListedChoiceField
from amends.customers.models import Contact


class CustomerMessageForm(forms.Form):
    prefix = "customer"  # the card's note form has a `text` field too
    text = forms.CharField(
        label=_("Message to the customer"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Reason to send despite the tone check"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SameCustomerForm(forms.Form):
    """An operator's "Same customer" on a suggestion: which known contact (services checks it is one)."""

    contact = ListedChoiceField(queryset=Contact.objects.filter(provisional=False), widget=forms.HiddenInput)
