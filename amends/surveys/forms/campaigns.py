from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.core.forms import ListedChoiceField
from amends.customers.models import Contact, OrganisationKind, Product

from ..audience import active_customers, chosen_customers, low_k_customers
from ..campaigns import manual_kinds
from ..choices import CampaignKind
from ..figures import quarter_key
from ..models import Campaign, Questionnaire, QuestionnaireVersion
from ..periodic import half_year_key


class CampaignForm(forms.Form):
    """A campaign staff start: its kind and questionnaire; the chosen customers by their filters."""

    kind = forms.ChoiceField(label=_("Kind"), choices=manual_kinds, initial=CampaignKind.MANUAL)
    questionnaire = ListedChoiceField(
        label=_("Questionnaire"),
        queryset=Questionnaire.objects.filter(is_active=True, versions__published_at__isnull=False).distinct(),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation_kind = forms.ChoiceField(
        label=_("Type of organisation"), choices=[("", _("Any"))] + OrganisationKind.choices, required=False,
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    product = ListedChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False, empty_label=_("Any"),
    )
    since = forms.DateField(
        label=_("Complained since"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and self.period() and Campaign.objects.filter(
            kind=self.cleaned_data["kind"], period=self.period(),
        ).exists():
            raise forms.ValidationError(
                _("The campaign of %(period)s has been started already.") % {"period": self.period()},
            )
        return data

    def version(self) -> QuestionnaireVersion:
        version = self.cleaned_data["questionnaire"].current_version()
        assert version is not None  # the choices hold questionnaires with a published version
        return version

    def period(self) -> str:
        """A six-monthly or quarterly campaign started by hand is the period's: the hourly job starts
        no second one."""
        day = timezone.localdate()
        return {
            CampaignKind.SEMIANNUAL: half_year_key(day), CampaignKind.QUARTERLY_LOW: quarter_key(day),
        }.get(self.cleaned_data["kind"], "")

    def contacts(self) -> QuerySet[Contact]:
        data = self.cleaned_data
        if data["kind"] == CampaignKind.SEMIANNUAL:
            return active_customers()
        if data["kind"] == CampaignKind.QUARTERLY_LOW:
            return low_k_customers()
        product = data.get("product")
        return chosen_customers(
            organisation_kind=data.get("organisation_kind") or "", region=(data.get("region") or "").strip(),
            product_id=product.pk if product else None, since=data.get("since"),
        )
