"""The filters every chart, report and figure of the analysis takes: a period and five dimensions.

One dataclass travels from the query string (or the API's parameters) to the selectors and back into
the drill-down links, so a bar and the list behind it always count the same cards."""

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amends.accounts.models import Department, User
from amends.accounts.roles import Role
from amends.complaints.choices import Channel
from amends.complaints.forms import DateInput
from amends.complaints.inputs import category_choices_queryset, users_with_roles
from amends.complaints.models import Category
from amends.core.forms import ListedChoiceField
from amends.customers.models import Product

# A year back from today, from the first of that month: twelve whole months and the current one.
DEFAULT_MONTHS_BACK = 12
# The days a period may take, wide enough for any record and narrow enough for its bounds' aware
# datetimes; and its longest span, since a chart by week draws a bar for every week of it.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
LONGEST_YEARS = 20


def default_start(today: date) -> date:
    month = today.month - DEFAULT_MONTHS_BACK
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


@dataclass(frozen=True)
class AnalyticsFilter:
    start: date
    end: date  # the last day counted (inclusive), as a person writes a period
    department: int | None = None
    product: int | None = None
    category: int | None = None  # a category counts its subcategories too
    channel: str = ""
    responsible: int | None = None

    @classmethod
    def default(cls, today: date | None = None) -> "AnalyticsFilter":
        today = today or timezone.localdate()
        return cls(start=default_start(today), end=today)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the company's time zone, the end excluded: index-friendly."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def with_period(self, start: date, end: date) -> "AnalyticsFilter":
        return replace(self, start=start, end=end)

    def params(self) -> dict[str, str]:
        """The set filters as query parameters (the names of AnalyticsFilterForm)."""
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        return {name: value.isoformat() if isinstance(value, date) else str(value)
                for name, value in values.items() if value not in (None, "")}

    def querystring(self) -> str:
        return urlencode(self.params())

    @property
    def dimensions_set(self) -> bool:
        return any([self.department, self.product, self.category, self.channel, self.responsible])


class AnalyticsFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=pgettext_lazy("the end of a period", "To"), required=False, widget=DateInput)
    department = ListedChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False,
        empty_label=_("All departments"),
    )
    product = ListedChoiceField(
        label=_("Product"), queryset=Product.objects.order_by("name"), required=False,
        empty_label=_("All products"),
    )
    category = ListedChoiceField(
        label=_("Category"), queryset=category_choices_queryset(), required=False,
        empty_label=_("All categories"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False,
    )
    responsible = ListedChoiceField(
        label=_("Responsible"), queryset=users_with_roles(Role.RESPONSIBLE, Role.QMS_HEAD), required=False,
        empty_label=_("Anyone"),
    )

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts: the end must be on or after the start."))
        for name in ("start", "end"):
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, _("Give a day from %(earliest)s to %(latest)s.") % {
                    "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})
        if not self.errors:
            period = self.to_filter()
            if (period.end - period.start).days > 366 * LONGEST_YEARS:
                raise forms.ValidationError(
                    _("A period may be at most %(years)d years long.") % {"years": LONGEST_YEARS})
        return data

    def to_filter(self, today: date | None = None) -> AnalyticsFilter:
        """The filter asked for; the default period fills what is blank. Call after is_valid()."""
        default = AnalyticsFilter.default(today)
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and not end:
            end = max(start, default.end)
        if end and not start:
            start = default_start(end)
        return AnalyticsFilter(
            start=start or default.start, end=end or default.end,
            department=data["department"].pk if data.get("department") else None,
            product=data["product"].pk if data.get("product") else None,
            category=data["category"].pk if data.get("category") else None,
            channel=data.get("channel") or "",
            responsible=data["responsible"].pk if data.get("responsible") else None,
        )


def filters_described(filters: AnalyticsFilter) -> list[tuple[str, str]]:
    """The period and the dimensions set, as (label, value) lines a person reads: for the pages, a
    workbook's first sheet, a PDF."""
    labels = {name: field.label for name, field in AnalyticsFilterForm.base_fields.items()}
    period = f"{date_format(filters.start, 'SHORT_DATE_FORMAT')} – {date_format(filters.end, 'SHORT_DATE_FORMAT')}"
    lines = [(str(_("Period")), period)]
    models = {"department": Department, "product": Product, "category": Category, "responsible": User}
    for name in ("department", "product", "category", "channel", "responsible"):
        if not (value := getattr(filters, name)):
            continue
        text = Channel(value).label if name == "channel" else models[name]._default_manager.filter(pk=value).first()
        lines.append((str(labels[name]), str(text or value)))
    return lines
