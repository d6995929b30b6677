from django import forms
from django.utils.translation import gettext_lazy as _


class CustomerMessageForm(forms.Form):
    prefix = "customer"  # the card's note form has a `text` field too
    text = forms.CharField(label=_("Message to the customer"), widget=forms.Textarea(attrs={"rows": 3}))
