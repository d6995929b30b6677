"""The order counts page: the last 24 months in one form; thin on orders.py."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..figures.volume import month_key, month_label
from ..orders import access_orders, order_months, orders_by_month, orders_save


class OrdersForm(forms.Form):
    """One optional positive count per month, named by its key ("2026-03"); blank clears it."""

    def __init__(self, months: list[date], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.months = months
        for month in months:
            self.fields[month_key(month)] = forms.IntegerField(
                label=month_label(month), required=False, min_value=1,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def counts(self) -> dict[date, int | None]:
        return {month: self.cleaned_data.get(month_key(month)) for month in self.months}


@login_required
def orders(request):
    access_orders(request.user)
    months = order_months()
    stored = orders_by_month(months)
    form = OrdersForm(months, request.POST or None,
                      initial={month_key(month): count for month, count in stored.items()})
    if request.method == "POST" and form.is_valid():
        changed = orders_save(request.user, form.counts())
        messages.success(request, ngettext(
            "%(count)s month's order count saved.", "%(count)s months' order counts saved.", changed,
        ) % {"count": changed} if changed else _("Nothing changed."))
        return redirect("analytics:orders")
    return render(request, "analytics/orders/orders.html", {"form": form})
