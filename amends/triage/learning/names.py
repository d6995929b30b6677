"""The names of a field's values, kept with a model's evaluation so its page reads without look-ups."""

from amends.accounts.models import Department
from amends.complaints.choices import Importance
from amends.complaints.models import Category, Cause
from amends.customers.models import Product

from ..models import TriageField

_MODELS = {
    TriageField.CAUSE: Cause, TriageField.DEPARTMENT: Department,
    TriageField.PRODUCT: Product,
}


def value_names(field: str, values: set[str]) -> dict[str, str]:
    if field == TriageField.IMPORTANCE:
        return {value: str(Importance(value).label) for value in values if value in Importance.values}
    ids = [int(value) for value in values if value.isdigit()]
    if field == TriageField.CATEGORY:
        categories = Category.objects.filter(pk__in=ids).select_related("parent")
        return {str(category.pk): str(category) for category in categories}
    return {str(item.pk): str(item) for item in _MODELS[TriageField(field)]._default_manager.filter(pk__in=ids)}
