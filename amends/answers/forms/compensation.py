"""The card's compensation forms; the services give the messages for bad values."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.complaints.forms import model_choice_field
from amends.core.forms import ListedChoiceField

from ..models import CompensationOption


class GrantForm(forms.Form):
    prefix = "compensation"
    option = ListedChoiceField(label=_("Compensation"), queryset=CompensationOption.objects.none())
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2, min_value=0)
    method = forms.CharField(
        label=_("How the customer gets it"), max_length=300,
        help_text=_("e.g. bank transfer to the card it was paid by"),
    )
    due_date = forms.DateField(label=_("To be given by"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "option").queryset = CompensationOption.objects.filter(pk__in=[o.pk for o in options])


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )

    def __init__(self, *args, grant_id: int, **kwargs):
        kwargs.setdefault("prefix", f"refuse-{grant_id}")
        super().__init__(*args, **kwargs)


class PriceForm(forms.Form):
    prefix = "goods-price"
    price = forms.DecimalField(label=_("Price of the goods"), max_digits=12, decimal_places=2, min_value=0)
