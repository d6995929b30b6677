from django import forms
from django.utils.translation import gettext_lazy as _

from amends.core.forms import ListedChoiceField, listed_formfield
from amends.customers.models import Supplier

from ..models import SupplierNorm

NORM_AT_LEAST_ONE = _("A norm is at least 1 complaint per period: a norm of zero or less would flag every supplier.")


class SupplierNormForm(forms.ModelForm):
    class Meta:
        model = SupplierNorm
        formfield_callback = listed_formfield
        fields = ["supplier", "norm"]
        error_messages = {"norm": {"min_value": NORM_AT_LEAST_ONE}}


class SupplierMergeForm(forms.Form):
    """The admin action's second step: the supplier the selected ones are merged into."""

    target = ListedChoiceField(
        label=_("Merge into"), queryset=Supplier.objects.filter(merged_into__isnull=True),
        help_text=_("Their complaints, components, nonconformities, proposals and norm move to this supplier."),
    )
