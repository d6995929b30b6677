"""The operator's draft, as the registration form sends it while they type."""

from django import forms

from amends.core.forms import ListedChoiceField
from amends.customers.models import Contact

from .detector import SIGNED_CHARACTERS


class DraftForm(forms.Form):
    """The registration form's fields the search reads; a half-typed value is still read as it is."""

    wording = forms.CharField(required=False, strip=False)
    contact = ListedChoiceField(queryset=Contact.objects.all(), required=False)
    email = forms.CharField(required=False, max_length=254)
    phone = forms.CharField(required=False, max_length=50)
    order_reference = forms.CharField(required=False, max_length=100)

    def clean_wording(self) -> str:
        # Only the start is signed (detector.SIGNED_CHARACTERS), whatever the draft's length.
        return self.cleaned_data["wording"][:SIGNED_CHARACTERS]
