"""The card's nonconformity forms and the list's; the services give the messages for bad input."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Department
from amends.complaints.forms import CardNumbersField, list_query, model_choice_field
from amends.complaints.models import Cause, Complaint, Measure
from amends.core.forms import ListedChoiceField
from amends.customers.models import Component, Product, Supplier

from ..promotion import card_concerns, open_records, plannable_records, promotion_due_date

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def record_label(record) -> str:
    return f"{record.number} — {record.title}"


class RecordChoiceField(ListedChoiceField):
    def label_from_instance(self, obj) -> str:
        return record_label(obj)


def record_choices(records, empty_label: str) -> list[tuple]:
    """A select's choices read once, for many forms on one page."""
    return [("", empty_label), *((record.pk, record_label(record)) for record in records)]


class LinkForm(forms.Form):
    """The card linked to an open nonconformity."""

    prefix = "nc-link"
    nonconformity = RecordChoiceField(label=_("Nonconformity"), queryset=open_records())

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "nonconformity").queryset = open_records().exclude(complaints=complaint)


class OpenForm(forms.Form):
    """A nonconformity opened from the card, its concerns taken from the card."""

    prefix = "nc-open"
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    product = ListedChoiceField(label=_("Product"), queryset=Product.objects.filter(is_active=True),
                                     required=False)
    component = ListedChoiceField(label=_("Component"), queryset=Component.objects.filter(is_active=True),
                                       required=False)
    supplier = ListedChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True),
                                      required=False)
    department = ListedChoiceField(label=_("Department"), queryset=Department.objects.filter(is_active=True),
                                        required=False)
    cause = ListedChoiceField(label=_("Cause"), queryset=Cause.objects.filter(is_active=True), required=False)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        concerns = card_concerns([complaint])
        kwargs.setdefault("initial", {concern: value.pk for concern, value in concerns.items()})
        super().__init__(*args, **kwargs)
        # The card's own values stay choosable when they have since been retired.
        for concern, value in concerns.items():
            field = model_choice_field(self, concern)
            field.queryset = type(value).objects.filter(Q(is_active=True) | Q(pk=value.pk))


class PromoteForm(forms.Form):
    """A measure promoted to a corrective action: of a nonconformity chosen, or of a new one."""

    nonconformity = RecordChoiceField(
        label=_("Nonconformity"), queryset=plannable_records(), required=False,
        empty_label=_("Open a new nonconformity"),
    )
    title = forms.CharField(
        label=_("Title of the new nonconformity"), max_length=300, required=False,
        help_text=_("When none is chosen above; the measure's text if left empty."),
    )
    due_date = forms.DateField(label=_("Action due"), required=False, widget=DATE)

    def __init__(self, *args, measure: Measure, choices: list | None = None, **kwargs):
        kwargs.setdefault("prefix", f"promote-{measure.pk}")
        kwargs.setdefault("initial", {"due_date": promotion_due_date(measure)})
        super().__init__(*args, **kwargs)
        if choices is not None:
            model_choice_field(self, "nonconformity").choices = choices


OPEN, LINK = "open", "link"


class FromListForm(forms.Form):
    """The cards ticked in the list: a nonconformity opened from them, or them linked to one.
    Its fields sit in the list's selection form beside other actions', so none is required there."""

    prefix = "bulk"  # the list's ticked cards arrive as bulk-cards, its filters as bulk-query
    use_required_attribute = False
    cards = CardNumbersField()
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    do = forms.ChoiceField(choices=[(OPEN, OPEN), (LINK, LINK)], widget=forms.HiddenInput)
    nc_title = forms.CharField(label=_("Title"), max_length=300, required=False)
    nc_record = RecordChoiceField(label=_("Nonconformity"), queryset=open_records(), required=False,
                                  empty_label=_("choose a nonconformity"))

    def clean_query(self) -> str:
        return list_query(self.cleaned_data["query"])

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("do") == OPEN and not (data.get("nc_title") or "").strip():
            self.add_error("nc_title", _("Give the new nonconformity a title."))
        if data.get("do") == LINK and data.get("nc_record") is None:
            self.add_error("nc_record", _("Choose the nonconformity to link them to."))
        return data
