"""A user's saved filters of the complaint list: their own, named, each the list's filter fields and values."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amends.accounts.models import User

from ..models import SavedFilter

SAVED_FILTERS_MAX = 30  # a row of links above the list, not a store


@transaction.atomic
def saved_filter_save(*, user: User, name: str, filters: dict[str, list[str]]) -> SavedFilter:
    """Save the filters under a name; the same name again replaces what it kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    mine = SavedFilter.objects.select_for_update().filter(user=user)
    if not mine.filter(name=name).exists() and mine.count() >= SAVED_FILTERS_MAX:
        raise ValidationError(
            _("You have %(count)d saved filters; delete one first.") % {"count": SAVED_FILTERS_MAX}
        )
    saved, _created = SavedFilter.objects.update_or_create(user=user, name=name, defaults={"filters": filters})
    return saved


def saved_filter_delete(*, user: User, pk: int) -> bool:
    """Delete one of the user's own saved filters; False when they have none of that id."""
    deleted, _by_model = SavedFilter.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
