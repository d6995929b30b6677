"""The reports' filters, read from the query string: the period and the segment."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.core.forms import ListedChoiceField
from amends.customers.models import OrganisationKind, Product

from ..figures import ReportFilter, default_range
from ..models import Response
from ..selectors import Segment


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    organisation_kind = forms.ChoiceField(
        label=_("Type of organisation"), required=False, choices=[("", _("Any")), *OrganisationKind.choices],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    product = ListedChoiceField(label=_("Product"), required=False, queryset=Product.objects.all(),
                                     empty_label=_("Any"))

    def __init__(self, data=None, *, today: date) -> None:
        super().__init__(data)
        self.today = today
        regions = Response.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", _("Any")), *((region, region) for region in regions)]  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def report_filter(self) -> ReportFilter:
        """The filter chosen; the default period (the last four whole quarters and the current one) for
        what is left empty or wrong."""
        default_start, default_end = default_range(self.today)
        data = self.cleaned_data if self.is_valid() else {}
        product = data.get("product")
        return ReportFilter(
            start=data.get("start") or default_start, end=data.get("end") or default_end,
            segment=Segment(organisation_kind=data.get("organisation_kind") or None,
                            region=data.get("region") or None, product_id=product.pk if product else None),
        )
