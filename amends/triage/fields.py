"""What each triage field is on the card: the card's own field, and the values it may take."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from amends.accounts.models import Department
from amends.complaints.choices import Importance
from amends.complaints.models import Category, Cause, Complaint
from amends.customers.models import Product

from .models import TriageField


@dataclass(frozen=True)
class FieldSpec:
    name: str
    card_field: str
    # None: a choice of the card's own (importance), its value the code.
    model: type[models.Model] | None

    @property
    def label_text(self) -> str:
        return str(TriageField(self.name).label)

    def options(self, values: set[str] | None = None) -> dict[str, Any]:
        """The values that may be set now (all, or those of `values`), each to what the card takes:
        the reference row, or the importance code."""
        if self.model is None:
            return {code: code for code in Importance.values if values is None or code in values}
        rows = self.model._default_manager.filter(is_active=True)
        if self.model is Category:
            rows = rows.select_related("parent")
        if values is not None:
            rows = rows.filter(pk__in=[value for value in values if value.isdigit()])
        return {str(row.pk): row for row in rows}

    def label(self, value: str, option: Any) -> str:
        if self.model is None:
            return str(Importance(value).label)
        return str(option)

    def labels(self, values: set[str]) -> dict[str, str]:
        """What people call these values, those no longer in use too (a model's history names them)."""
        if self.model is None:
            return {code: str(label) for code, label in Importance.choices if code in values}
        rows = self.model._default_manager.filter(pk__in=[value for value in values if value.isdigit()])
        if self.model is Category:
            rows = rows.select_related("parent")
        return {str(row.pk): str(row) for row in rows}

    def resolve(self, value: str) -> Any:
        """What the card takes for `value`; a ValidationError when it is not a value in use."""
        options = self.options({value})
        if value not in options:
            raise ValidationError(_("“%(value)s” is not a value this field takes now.") % {"value": value})
        return options[value]

    def current(self, complaint: Complaint) -> str:
        """The card's value as a suggestion's value: a row's id, an importance code, or ""."""
        if self.model is None:
            return getattr(complaint, self.card_field)
        pk = getattr(complaint, f"{self.card_field}_id")
        return "" if pk is None else str(pk)

    def is_unset(self, complaint: Complaint) -> bool:
        """Nobody has set it yet: empty, or importance at the registration's default."""
        if self.model is None:
            return getattr(complaint, self.card_field) == Importance.MEDIUM
        return getattr(complaint, f"{self.card_field}_id") is None


FIELDS: dict[str, FieldSpec] = {
    TriageField.CATEGORY: FieldSpec(TriageField.CATEGORY, "category", Category),
    TriageField.CAUSE: FieldSpec(TriageField.CAUSE, "cause", Cause),
    TriageField.IMPORTANCE: FieldSpec(TriageField.IMPORTANCE, "importance", None),
    TriageField.DEPARTMENT: FieldSpec(TriageField.DEPARTMENT, "department_concerned", Department),
    TriageField.PRODUCT: FieldSpec(TriageField.PRODUCT, "product", Product),
}
BY_CARD_FIELD = {spec.card_field: spec for spec in FIELDS.values()}
