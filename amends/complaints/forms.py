from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Department, User
from amends.accounts.roles import Role
from amends.core.forms import ListedChoiceField, listed_formfield
from amends.core.markup import escaped
from amends.customers.models import Contact, Product
from amends.customers.selectors import contacts_known_by

from .choices import Channel, ClaimDemand, Importance, RequestType, State
from .inputs import (
    BOOL,
    CHOICE,
    INT,
    MAX_INT,
    MODEL,
    TEXT,
    TEXT_MAX_LENGTH,
    Input,
    category_choices_queryset,
    users_with_roles,
)
from .list_page import FILTERS
from .models import Complaint
from .selectors import ComplaintFilter
from .services import BULK_MAX, CONTACT_DETAILS, EDITABLE_FIELDS, EXECUTOR_ROLES
from .transitions import RESPONSIBLE_PERSON, Transition


def model_choice_field(form: forms.BaseForm, name: str) -> ListedChoiceField:
    """A form's field that lists model instances, to give it its queryset per form."""
    field = form.fields[name]
    assert isinstance(field, ListedChoiceField), name
    return field


WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(f"{WIDGETS}{name}.html" for name in (
    "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "checkbox"))


def _attributes(attrs: dict[str, Any]) -> str:
    """As attrs.html writes them: in order, True bare, False left out."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(str(value))}"'
        for name, value in attrs.items() if value is not False)


def _input(widget: dict[str, Any]) -> SafeString:
    value = "" if widget["value"] is None else f' value="{escaped(str(widget["value"]))}"'
    return SafeString(f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"{value}'
                      f"{_attributes(widget['attrs'])}>")


def _textarea(widget: dict[str, Any]) -> SafeString:
    return SafeString(f'<textarea name="{escaped(widget["name"])}"{_attributes(widget["attrs"])}>\n'
                      f'{escaped(widget["value"] or "")}</textarea>')


def _select(widget: dict[str, Any]) -> SafeString:
    parts = []
    for group_name, group_choices, _index in widget["optgroups"]:
        options = "".join(
            f'\n  <option value="{escaped(str(option["value"]))}"{_attributes(option["attrs"])}>'
            f'{escaped(option["label"])}</option>' for option in group_choices)
        parts.append(f'\n  <optgroup label="{escaped(group_name)}">{options}\n  </optgroup>'
                     if group_name else options)
    return SafeString(f'<select name="{escaped(widget["name"])}"{_attributes(widget["attrs"])}>{"".join(parts)}'
                      "\n</select>")


def _plain_options(widget: dict[str, Any]) -> bool:
    return all(option["template_name"] == f"{WIDGETS}select_option.html"
               for _name, group_choices, _index in widget["optgroups"] for option in group_choices)


class QuickRenderer(DjangoTemplates):
    """Writes the plain widgets (inputs, text areas, lists) in Python, to the HTML of Django's own
    templates, and any other widget by its template. A template renders each option of a list
    through two includes: with the card's forms, most of the card page's time went there."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in INPUTS:
            return _input(widget)
        if template_name == f"{WIDGETS}textarea.html":
            return _textarea(widget)
        if template_name == f"{WIDGETS}select.html" and not widget["attrs"].get("multiple") and _plain_options(widget):
            return _select(widget)
        return super().render(template_name, context, request)


QUICK = QuickRenderer()


def quick_widgets(form: forms.BaseForm) -> None:
    """The form's widgets written by QuickRenderer."""
    form.renderer = QUICK


def quick_forms(context: dict[str, Any]) -> dict[str, Any]:
    """quick_widgets for every form of a template's context, alone or in a list."""
    for value in context.values():
        for form in value if isinstance(value, list | tuple) else [value]:
            if isinstance(form, forms.BaseForm):
                quick_widgets(form)
    return context


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            # The form field has already turned an aware value into local time.
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class RegisterForm(forms.Form):
    """The operator's screen: the customer (found or new), then the complaint."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    received_at = forms.DateTimeField(
        label=_("Received at"), widget=DateTimeLocalInput, initial=timezone.now,
    )
    request_type = forms.ChoiceField(
        label=_("Request type"), choices=RequestType.choices, initial=RequestType.COMPLAINT, required=False,
        help_text=_("A phone or in-person complaint becomes a claim when its written confirmation is recorded."),
    )
    claim_demand = forms.ChoiceField(
        label=_("Demand (a claim)"), choices=[("", "—"), *ClaimDemand.choices], required=False,
    )
    contact = ListedChoiceField(
        queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput,
    )
    full_name = forms.CharField(label=_("Full name"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("The customer is sent the number and a tracking link."),
    )
    fax = forms.CharField(label=_("Fax"), max_length=50, required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"), max_length=300, required=False,
        help_text=_("Leave empty for a private person."),
    )
    address = forms.CharField(label=_("Postal address"), required=False)
    wording = forms.CharField(
        label=_("Complaint in the customer's words"), max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    product = ListedChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False,
    )
    order_reference = forms.CharField(
        label=_("Order / product registration No."), max_length=100, required=False,
    )
    category = ListedChoiceField(
        label=_("Category"), queryset=category_choices_queryset(), required=False,
    )
    importance = forms.ChoiceField(
        label=_("Importance"), choices=Importance.choices, initial=Importance.MEDIUM,
    )
    employee_concerned = forms.CharField(
        label=_("Employee concerned"), max_length=200, required=False,
    )
    department_concerned = ListedChoiceField(
        label=_("Department concerned"), queryset=Department.objects.filter(is_active=True),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments (e.g. a scanned letter)"), required=False,
    )

    def clean_request_type(self) -> str:
        return self.cleaned_data["request_type"] or RequestType.COMPLAINT

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        external = data.get("channel") != Channel.INTERNAL
        if external and not data.get("contact"):
            if not data.get("full_name"):
                self.add_error("full_name", _("Find the customer or enter their name."))
            elif data.get("channel") == Channel.FAX and not data.get("fax"):
                self.add_error("fax", _("Enter the fax number the complaint came from."))
            elif not (data.get("phone") or data.get("email") or data.get("address") or data.get("fax")):
                self.add_error("phone", _("Give at least a phone, an e-mail or an address."))
        return data


class CustomerCorrectForm(forms.Form):
    """The card's customer after registration: another known customer, or their details corrected."""

    prefix = "customer"
    other = forms.CharField(
        label=_("Move the card to another customer: their e-mail or phone"), max_length=300, required=False,
    )
    full_name = forms.CharField(label=_("Full name"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        if complaint.contact is not None and not self.is_bound:
            self.initial.update({name: getattr(complaint.contact, name) for name in CONTACT_DETAILS})

    def clean_other(self) -> Contact | None:
        value = self.cleaned_data["other"].strip()
        if not value:
            return None
        found = contacts_known_by(value)
        if not found:
            raise forms.ValidationError(_("No known customer has this e-mail or phone."))
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several customers have this e-mail or phone: %(names)s. Correct the details instead.")
                % {"names": "; ".join(str(contact) for contact in found)}
            )
        return found[0]

    def write_arguments(self) -> dict[str, Any]:
        """What complaint_customer_correct is given: the other customer, or the details."""
        data = self.cleaned_data
        if data["other"] is not None:
            return {"other": data["other"]}
        return {"details": {name: data[name] for name in CONTACT_DETAILS}}


class InternalComplaintForm(forms.Form):
    """Any employee's complaint about another department (an appeal to the QMS)."""

    department_concerned = ListedChoiceField(
        label=_("Department the complaint is about"), queryset=Department.objects.filter(is_active=True),
    )
    employee_concerned = forms.CharField(label=_("Employee concerned"), max_length=200, required=False)
    wording = forms.CharField(
        label=_("What happened"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For example: an employee promised to call the customer back and did not."),
    )
    importance = forms.ChoiceField(label=_("Importance"), choices=Importance.choices, initial=Importance.MEDIUM)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class WrittenConfirmationForm(forms.Form):
    """The customer's written confirmation of a complaint with a demand: it becomes a claim."""

    prefix = "confirmation"
    confirmed_on = forms.DateField(label=_("Received on"), widget=DateInput, initial=timezone.localdate)
    demand = forms.ChoiceField(label=_("Demand"), choices=ClaimDemand.choices)
    scan = forms.FileField(label=_("Scan of the written confirmation"))


class ComplaintEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Complaint
        formfield_callback = listed_formfield
        fields = [f for f in EDITABLE_FIELDS if f not in ("organisation", "contact")]
        widgets = {
            "received_at": DateTimeLocalInput,
            "demand_presented_at": DateTimeLocalInput,
            "wording": forms.Textarea(attrs={"rows": 5}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = category_choices_queryset()
        for name in ("wording", "actions_taken"):  # text columns without a length of their own
            field = self.fields[name]
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(TEXT_MAX_LENGTH)
        # The close step's bound: on SQLite the model field alone would take 64 bits.
        minutes = self.fields["time_spent_minutes"]
        minutes.validators.append(MaxValueValidator(MAX_INT))
        minutes.widget.attrs["max"] = str(MAX_INT)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


def _choice_field(spec: Input, **common: Any) -> forms.Field:
    assert spec.choices is not None  # Input.__post_init__: a CHOICE has its choices
    choices = spec.choices.choices if spec.required else [("", "—"), *spec.choices.choices]
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect if spec.radio else None, **common)


def _text_field(spec: Input, **common) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": spec.rows}) if spec.rows else None
    return forms.CharField(max_length=spec.max_length, widget=widget, **common)


def _model_choice_field(spec: Input, **common) -> forms.Field:
    assert spec.queryset is not None  # Input.__post_init__: a MODEL has its queryset
    field = ListedChoiceField(queryset=(spec.offered or spec.queryset)(), **common)
    if spec.option_label:
        field.label_from_instance = spec.option_label  # type: ignore[method-assign,assignment]
    return field


# The form field for each kind of transition input; the API's are in api/serializers/transitions.py.
FORM_FIELDS: dict[str, Callable[..., forms.Field]] = {
    CHOICE: _choice_field,
    MODEL: _model_choice_field,
    TEXT: _text_field,
    INT: lambda spec, **common: forms.IntegerField(min_value=spec.min_value, max_value=spec.max_value, **common),
    BOOL: lambda spec, **common: forms.BooleanField(**common),
}


def input_form_field(spec: Input) -> forms.Field:
    return FORM_FIELDS[spec.kind](spec, label=spec.label, required=spec.required)


class TransitionForm(forms.Form):
    """The data one transition asks for; fields come from the transition's `inputs`."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, transition: Transition, complaint: Complaint, *args, **kwargs):
        kwargs.setdefault("prefix", transition.name)
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.initial.setdefault("version", complaint.version)
        for spec in transition.inputs:
            self.fields[spec.name] = input_form_field(spec)
            if spec.initial:
                self.initial.setdefault(spec.name, spec.initial(complaint))
        if transition.requires_comment:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("Reason")


class MeasureForm(forms.Form):
    description = forms.CharField(
        label=_("Measure"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
    )
    executor = ListedChoiceField(
        label=_("Executor"), queryset=User.objects.none(),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "executor").queryset = users_with_roles(*EXECUTOR_ROLES)


class MeasureReportForm(forms.Form):
    report = forms.CharField(
        label=_("What was done"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class KeepClosedForm(forms.Form):
    prefix = "keep"
    text = forms.CharField(
        label=_("How the message was handled"), max_length=TEXT_MAX_LENGTH,
        help_text=_("E.g. answered by phone, nothing more to do. It goes on the timeline."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CallLogForm(forms.Form):
    prefix = "call"
    text = forms.CharField(
        label=_("What was discussed"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    mine = forms.BooleanField(label=_("My cards"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *State.choices], required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False,
    )
    category = ListedChoiceField(
        label=_("Category"), queryset=category_choices_queryset(), required=False,
        empty_label=_("All categories"),
    )
    importance = forms.ChoiceField(
        label=_("Importance"), choices=[("", _("Any importance")), *Importance.choices],
        required=False,
    )
    responsible = ListedChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False,
        empty_label=_("Anyone"),
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("to"), required=False, widget=DateInput)
    overdue = forms.BooleanField(
        label=_("Measure overdue"), required=False,
        # Shown as the field's tooltip: the list's filters have no room for a line of help.
        widget=forms.CheckboxInput(attrs={"title": _(
            "Open cards with a measure not reported done by its due date. The card's own deadlines: “Card deadline”."
        )}),
    )
    set_aside = forms.BooleanField(label=_("Show duplicates and withdrawn"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "responsible").queryset = users_with_roles(Role.RESPONSIBLE, Role.QMS_HEAD)
        for name, list_filter in FILTERS.items():
            self.fields[name] = list_filter.field()
        quick_widgets(self)

    def registered_filters(self) -> list[forms.BoundField]:
        """The fields of other apps' filters, shown beside the state filter."""
        return [self[name] for name in FILTERS]

    def to_filter(self) -> ComplaintFilter:
        if not self.is_valid():
            return ComplaintFilter(set_aside=False)
        data = self.cleaned_data
        return ComplaintFilter(
            state=data["state"], channel=data["channel"],
            category=data["category"].pk if data["category"] else None,
            importance=data["importance"],
            responsible=data["responsible"].pk if data["responsible"] else None,
            received_from=data["received_from"], received_to=data["received_to"],
            overdue=data["overdue"], mine=data["mine"], q=data["q"],
            # A search is read best match first, unless another order is asked for.
            sort=data["sort"] or ("relevance" if data["q"].strip() else "-received"),
            set_aside=data["set_aside"],
            extra={name: data[name] for name in FILTERS},
        )


def list_filters(raw: str) -> dict[str, list[str]]:
    """The filter form's own fields of a list's query string, set ones, in the form's order: what a
    saved filter keeps (never the page, nor anything else the query carried)."""
    given = QueryDict(raw)
    kept = {name: [value for value in given.getlist(name) if value] for name in ComplaintFilterForm().fields}
    return {name: values for name, values in kept.items() if values}


def list_query(raw: str) -> str:
    """The list's query string with only its filters: where a bulk action goes back to."""
    return urlencode(list_filters(raw), doseq=True)


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, error_messages={"required": _("Give the filter a name.")})
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_query(self) -> dict[str, list[str]]:
        return list_filters(self.cleaned_data["query"])


class CardNumbersField(forms.Field):
    """The numbers of the cards selected in the list."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Select the cards first.")}

    def to_python(self, value) -> list[str]:
        numbers = [str(number).strip() for number in value or [] if str(number).strip()]
        if len(numbers) > BULK_MAX:
            raise forms.ValidationError(_("Choose at most %(count)d cards at once.") % {"count": BULK_MAX})
        return numbers


class BulkAssignForm(forms.Form):
    """The list's bulk action: one responsible person for every selected card."""

    prefix = "bulk"
    cards = CardNumbersField()
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"] = input_form_field(RESPONSIBLE_PERSON)
        quick_widgets(self)

    def clean_query(self) -> str:
        return list_query(self.cleaned_data["query"])


def form_error_text(form: forms.Form) -> str:
    """A form's errors in one line, for a message on the page it came from."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
