"""Which reports an overseer receives by mail: one tick per report kind."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amends.accounts.models import User

from ..access import access_analytics
from ..report_kinds import REPORT_KINDS
from ..schedules import CADENCE_LABELS, subscribed_kinds, subscriptions_set


class SubscriptionsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Reports I receive by e-mail"), required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [  # type: ignore[attr-defined]
            (kind.key, f"{kind.title} — {CADENCE_LABELS[kind.cadence]}") for kind in REPORT_KINDS.values()
        ]


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required
    access_analytics(user)
    if request.method == "POST":
        form = SubscriptionsForm(request.POST)
        if form.is_valid():
            subscriptions_set(user, form.cleaned_data["kinds"])
            messages.success(request, _("Saved: the reports ticked are sent to you by e-mail."))
            return redirect("analytics:subscriptions")
    else:
        chosen = set(subscribed_kinds(user))
        asked = request.GET.get("kind", "")
        if asked in REPORT_KINDS:  # "E-mail me this report": ticked, saved when the user confirms
            chosen.add(asked)
        form = SubscriptionsForm(initial={"kinds": sorted(chosen)})
    return render(request, "analytics/schedules/subscriptions.html", {"form": form, "email": user.email})
