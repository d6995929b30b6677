from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import DeliveryChannel


class AnswerSendForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send by"), choices=DeliveryChannel.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason to send despite the findings"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if offers:
            cast(forms.ChoiceField, self.fields["channel"]).choices = [
                (offer.channel, f"{offer.label}: {offer.shown_as}") for offer in offers
            ]


class PostedForm(forms.Form):
    posted_on = forms.DateField(
        label=_("Posted on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}),
    )
