from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from amends.customers.selectors import phone_matches

from ..choices import ResponseSource
from ..models import Response
from ..models.policy import policy
from ..selectors import responses_in

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResponseFilterForm(forms.Form):
    """The responses list's filters: period, how they came, K below the threshold, would not
    recommend, the customer (a part of the name, the organisation, the e-mail or the phone)."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE)
    source = forms.ChoiceField(
        label=_("How it came"), required=False, choices=[("", _("Any way")), *ResponseSource.choices],
    )
    below = forms.BooleanField(label=_("K below the threshold"), required=False)
    not_recommending = forms.BooleanField(label=_("Would not recommend us"), required=False)
    customer = forms.CharField(label=_("Customer"), required=False, max_length=200)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        if "\x00" in data.get("customer", ""):
            self.add_error("customer", _("Type a name, an e-mail or a phone."))
        return data

    def responses(self) -> QuerySet[Response]:
        """The responses matching the valid filters; none while the filters have errors."""
        if not self.is_valid():
            return Response.objects.none()
        data = self.cleaned_data
        responses = responses_in(data.get("start"), data.get("end"))
        if data.get("source"):
            responses = responses.filter(source=data["source"])
        if data.get("below"):
            responses = responses.filter(k__lt=policy().k_threshold)
        if data.get("not_recommending"):
            responses = responses.filter(recommends=False)
        if query := data.get("customer", "").strip():
            condition = (
                Q(contact__full_name__icontains=query) | Q(contact__email__icontains=query.lower())
                | Q(contact__organisation__name__icontains=query)
            )
            if (phone := phone_matches(query, field="contact__phone_digits")) is not None:
                condition |= phone
            responses = responses.filter(condition)
        return responses
