"""The register's filters and the record's own forms: open one, edit it, appoint its owner, link
cards by number, close it, reopen it with a reason. The services give the messages for bad values."""

import re

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.converters import NUMBER_PATTERN
from amends.complaints.forms import model_choice_field
from amends.complaints.inputs import users_with_roles
from amends.complaints.models import Complaint
from amends.complaints.services import BULK_MAX
from amends.core.forms import ListedChoiceField, listed_formfield
from amends.customers.models import Supplier

from ..choices import NonconformityKind, NonconformityState, Source
from ..models import Nonconformity
from ..nonconformities import CONCERNS, UPDATABLE

# Who may own a nonconformity: the owners of processes (DOMAIN.md §9), as for a card's responsible person.
OWNER_ROLES = (Role.RESPONSIBLE, Role.QMS_HEAD)
NUMBER = re.compile(NUMBER_PATTERN)


def owner_choices() -> QuerySet[User]:
    return users_with_roles(*OWNER_ROLES)


def _with_current(queryset: QuerySet, current_pk: int | None) -> QuerySet:
    """The active choices, and the record's own one even when it is no longer active."""
    active = Q(is_active=True) | Q(pk=current_pk) if current_pk else Q(is_active=True)
    return queryset.filter(active)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *NonconformityState.choices], required=False,
    )
    owner = ListedChoiceField(
        label=_("Owner"), queryset=User.objects.filter(owned_nonconformities__isnull=False).distinct(),
        required=False, empty_label=_("Anyone"),
    )
    supplier = ListedChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(merged_into__isnull=True), required=False,
        empty_label=_("Any supplier"),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("Any source")), *Source.choices], required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *NonconformityKind.choices], required=False,
    )
    mine = forms.BooleanField(label=_("Mine (owned or with an action of mine)"), required=False)
    overdue = forms.BooleanField(label=_("Overdue (a deadline passed)"), required=False)


class CardNumbersField(forms.CharField):
    """Card numbers typed or pasted, separated by commas, spaces or lines; each one once."""

    def to_python(self, value) -> list[str]:  # type: ignore[override]
        numbers = list(dict.fromkeys(re.split(r"[\s,;]+", (super().to_python(value) or "").strip())))
        numbers = [number for number in numbers if number]
        wrong = [number for number in numbers if not NUMBER.fullmatch(number)]
        if wrong:
            raise forms.ValidationError(
                _("Not a complaint number: %(numbers)s (a number looks like 2026-000123).")
                % {"numbers": ", ".join(wrong)}
            )
        if len(numbers) > BULK_MAX:
            raise forms.ValidationError(_("Give at most %(count)d numbers at once.") % {"count": BULK_MAX})
        return numbers


class CardsFormMixin:
    """The `complaints` field: card numbers cleaned to the cards, among those the user sees (a card
    they may not see is "no such complaint", as its page would say)."""

    visible: QuerySet[Complaint]
    cleaned_data: dict

    def clean_complaints(self) -> list[Complaint]:
        numbers = self.cleaned_data["complaints"]
        cards = {card.number: card for card in self.visible.filter(number__in=numbers)}
        missing = [number for number in numbers if number not in cards]
        if missing:
            raise forms.ValidationError(
                _("No complaint with the number %(numbers)s.") % {"numbers": ", ".join(missing)}
            )
        return [cards[number] for number in numbers]


def _cards_field(required: bool) -> CardNumbersField:
    return CardNumbersField(
        label=_("Complaint numbers"), required=required,
        error_messages={"required": _("Give the numbers of the complaints to link.")}, widget=forms.TextInput(attrs={
            "placeholder": "2026-000123, 2026-000124", "inputmode": "text", "autocomplete": "off",
        }),
        help_text=_("Separated by commas or spaces. Duplicates and withdrawn complaints are not linked: "
                    "link the original instead."),
    )


class RecordFieldsForm(forms.Form):
    """The title, kind, description and what the record concerns, labelled as the model labels them."""

    def __init__(self, *args, record: Nonconformity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        concerns = fields_for_model(Nonconformity, fields=UPDATABLE, formfield_callback=listed_formfield)
        self.fields = {**concerns, **self.fields}
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 4})
        for name in CONCERNS:
            field = self.fields[name]
            if isinstance(field, ListedChoiceField) and field.queryset is not None:
                current = getattr(record, f"{name}_id") if record is not None else None
                queryset = _with_current(field.queryset, current)
                # A merged supplier's records follow it to the one it was merged into.
                field.queryset = queryset.filter(merged_into__isnull=True) if name == "supplier" else queryset
        if record is not None and not self.is_bound:
            self.initial = {name: record.serializable_value(name) for name in UPDATABLE}


class NonconformityOpenForm(CardsFormMixin, RecordFieldsForm):
    owner = ListedChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Appoint later"),
    )
    complaints = _cards_field(required=False)

    def __init__(self, *args, visible: QuerySet[Complaint], **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible
        model_choice_field(self, "owner").queryset = owner_choices()


class RecordEditForm(RecordFieldsForm):
    prefix = "edit"


class AppointForm(forms.Form):
    prefix = "appoint"
    owner = ListedChoiceField(label=_("Owner"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = owner_choices()


class LinkForm(CardsFormMixin, forms.Form):
    prefix = "link"
    complaints = _cards_field(required=True)

    def __init__(self, *args, visible: QuerySet[Complaint], **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible


class CloseForm(forms.Form):
    prefix = "close"


class ReopenForm(forms.Form):
    prefix = "reopen"
    reason = forms.CharField(
        label=_("Why it is reopened"), widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the nonconformity is reopened.")},
    )
