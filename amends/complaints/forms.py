from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Department, User
from amends.accounts.roles import Role
from amends.customers.models import Contact, Product

from .choices import Channel, Importance, Justification, Loyalty, State
from .list_page import FILTERS
from .models import Category, Cause, Complaint
from .selectors import ComplaintFilter
from .services import EDITABLE_FIELDS, EXECUTOR_ROLES
from .transitions import Transition


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


def users_with_roles(*roles: str):
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def category_choices_queryset():
    return Category.objects.filter(is_active=True).select_related("parent").order_by(
        "parent__name", "name"
    )


class RegisterForm(forms.Form):
    """The operator's screen: the customer (found or new), then the complaint."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    received_at = forms.DateTimeField(
        label=_("Received at"), widget=DateTimeLocalInput, initial=timezone.now,
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput,
    )
    full_name = forms.CharField(label=_("Full name"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"), max_length=300, required=False,
        help_text=_("Leave empty for a private person."),
    )
    address = forms.CharField(label=_("Postal address"), required=False)
    wording = forms.CharField(
        label=_("Complaint in the customer's words"), widget=forms.Textarea(attrs={"rows": 5}),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False,
    )
    order_reference = forms.CharField(
        label=_("Order / product registration No."), max_length=100, required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=category_choices_queryset(), required=False,
    )
    importance = forms.ChoiceField(
        label=_("Importance"), choices=Importance.choices, initial=Importance.MEDIUM,
    )
    employee_concerned = forms.CharField(
        label=_("Employee concerned"), max_length=200, required=False,
    )
    department_concerned = forms.ModelChoiceField(
        label=_("Department concerned"), queryset=Department.objects.filter(is_active=True),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments (e.g. a scanned letter)"), required=False,
    )

    def clean(self):
        data = super().clean()
        external = data.get("channel") != Channel.INTERNAL
        if external and not data.get("contact"):
            if not data.get("full_name"):
                self.add_error("full_name", _("Find the customer or enter their name."))
            elif not (data.get("phone") or data.get("email") or data.get("address")):
                self.add_error("phone", _("Give at least a phone, an e-mail or an address."))
        return data


class InternalComplaintForm(forms.Form):
    """Any employee's complaint about another department (an appeal to the QMS)."""

    department_concerned = forms.ModelChoiceField(
        label=_("Department the complaint is about"), queryset=Department.objects.filter(is_active=True),
    )
    employee_concerned = forms.CharField(label=_("Employee concerned"), max_length=200, required=False)
    wording = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For example: an employee promised to call the customer back and did not."),
    )
    importance = forms.ChoiceField(label=_("Importance"), choices=Importance.choices, initial=Importance.MEDIUM)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class ComplaintEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Complaint
        fields = [f for f in EDITABLE_FIELDS if f not in ("organisation", "contact")]
        widgets = {
            "received_at": DateTimeLocalInput,
            "demand_presented_at": DateTimeLocalInput,
            "wording": forms.Textarea(attrs={"rows": 5}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices_queryset()
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class TransitionForm(forms.Form):
    """The data one transition asks for; fields come from the transition's `fields`."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
    )

    FIELD_FACTORIES = {
        "responsible": lambda: forms.ModelChoiceField(
            label=_("Responsible person"),
            queryset=users_with_roles(Role.RESPONSIBLE, Role.QMS_HEAD),
        ),
        "justification": lambda: forms.ChoiceField(
            label=_("Justification"), choices=Justification.choices, widget=forms.RadioSelect,
        ),
        "cause": lambda: forms.ModelChoiceField(
            label=_("Cause"), queryset=Cause.objects.filter(is_active=True),
        ),
        "opinion": lambda: forms.CharField(
            label=_("Your opinion on the causes"), widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "category": lambda: forms.ModelChoiceField(
            label=_("Category"), queryset=category_choices_queryset(), required=False,
        ),
        "importance": lambda: forms.ChoiceField(
            label=_("Importance"), choices=[("", "—"), *Importance.choices], required=False,
        ),
        "actions_taken": lambda: forms.CharField(
            label=_("Actions taken"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "answer_text": lambda: forms.CharField(
            label=_("Answer given to the customer"), widget=forms.Textarea(attrs={"rows": 5}),
        ),
        "satisfaction": lambda: forms.IntegerField(
            label=_("Satisfaction with the resolution (1-10)"), min_value=1, max_value=10,
            required=False,
        ),
        "loyalty": lambda: forms.ChoiceField(
            label=_("Loyalty"), choices=[("", "—"), *Loyalty.choices], required=False,
        ),
        "customer_unreachable": lambda: forms.BooleanField(
            label=_("The customer could not be reached"), required=False,
        ),
        "unreachable_note": lambda: forms.CharField(
            label=_("How we tried to reach them"), required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
        "time_spent_minutes": lambda: forms.IntegerField(
            label=_("Time spent, minutes"), min_value=0, required=False,
        ),
        "original_number": lambda: forms.CharField(
            label=_("Number of the original complaint"), max_length=20,
        ),
    }

    def __init__(self, transition: Transition, complaint: Complaint, *args, **kwargs):
        kwargs.setdefault("prefix", transition.name)
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.initial.setdefault("version", complaint.version)
        for name in transition.fields:
            self.fields[name] = self.FIELD_FACTORIES[name]()
        if transition.requires_comment:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("Reason")
        if "category" in transition.fields:
            self.initial.setdefault("category", complaint.category_id)


class MeasureForm(forms.Form):
    description = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 2}))
    executor = forms.ModelChoiceField(
        label=_("Executor"), queryset=User.objects.none(),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["executor"].queryset = users_with_roles(*EXECUTOR_ROLES)


class MeasureReportForm(forms.Form):
    report = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class CallLogForm(forms.Form):
    prefix = "call"
    text = forms.CharField(label=_("What was discussed"), widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *State.choices], required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=category_choices_queryset(), required=False,
        empty_label=_("All categories"),
    )
    importance = forms.ChoiceField(
        label=_("Importance"), choices=[("", _("Any importance")), *Importance.choices],
        required=False,
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False,
        empty_label=_("Anyone"),
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("to"), required=False, widget=DateInput)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = users_with_roles(Role.RESPONSIBLE, Role.QMS_HEAD)
        for name, list_filter in FILTERS.items():
            self.fields[name] = list_filter.field()

    def registered_filters(self) -> list[forms.BoundField]:
        """The fields of other apps' filters, shown beside the state filter."""
        return [self[name] for name in FILTERS]

    def to_filter(self) -> ComplaintFilter:
        if not self.is_valid():
            return ComplaintFilter()
        data = self.cleaned_data
        return ComplaintFilter(
            state=data["state"], channel=data["channel"],
            category=data["category"].pk if data["category"] else None,
            importance=data["importance"],
            responsible=data["responsible"].pk if data["responsible"] else None,
            received_from=data["received_from"], received_to=data["received_to"],
            overdue=data["overdue"], q=data["q"], sort=data["sort"] or "-received",
            extra={name: data[name] for name in FILTERS},
        )
