"""The data a lifecycle step asks for, one typed declaration per datum (the steps list theirs in
transitions.py). The web form's fields (forms.py) and the API's (api/serializers/transitions.py)
are both built from these, so a new datum is declared once."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import ngettext

from amends.accounts.models import User
from amends.accounts.roles import Role

from .choices import OPEN_STATES
from .models import Category, Complaint

CHOICE, MODEL, TEXT, INT, BOOL = "choice", "model", "text", "int", "bool"
KINDS = (CHOICE, MODEL, TEXT, INT, BOOL)

MAX_INT = 2**31 - 1  # the largest value an integer column holds
# The longest free text anyone may write, on every form and in the API: the public web form's
# complaint. A longer text is refused rather than stored and shown on every viewer's card.
TEXT_MAX_LENGTH = 20_000


@dataclass(frozen=True)
class Input:
    name: str
    kind: str
    label: Promise
    # The web form insists on it. The API leaves missing data to the step, whose messages say
    # what is missing; an optional number or reference may be null there.
    required: bool = False
    choices: type[models.Choices] | None = None  # CHOICE
    queryset: Callable[[], QuerySet] | None = None  # MODEL: what an ID may name
    offered: Callable[[], QuerySet] | None = None  # MODEL: what the form lists, if narrower
    option_label: Callable[[Any], str] | None = None  # MODEL: how the form names each of them
    min_value: int | None = None  # INT
    max_value: int = MAX_INT  # INT
    max_length: int = TEXT_MAX_LENGTH  # TEXT
    rows: int = 0  # TEXT: a text area of this many rows; 0: one line
    radio: bool = False  # CHOICE: radio buttons instead of a list
    initial: Callable[[Complaint], Any] | None = None  # the form's value from the card

    def __post_init__(self):
        assert self.kind in KINDS, self.kind
        assert (self.kind == CHOICE) == (self.choices is not None), self.name
        assert (self.kind == MODEL) == (self.queryset is not None), self.name

    def accepts(self, value: object) -> bool:
        """Whether a parsed value is one this datum takes: the steps check data that comes to the
        services directly, past any form or serializer, against the same bounds."""
        if self.kind == CHOICE:
            assert self.choices is not None  # __post_init__: a CHOICE has its choices
            return value in self.choices.values
        if self.kind == MODEL:
            assert self.queryset is not None  # __post_init__: a MODEL has its queryset
            return isinstance(value, self.queryset().model)
        if self.kind == INT:
            low = self.min_value if self.min_value is not None else -MAX_INT - 1
            return isinstance(value, int) and not isinstance(value, bool) and low <= value <= self.max_value
        if self.kind == TEXT:
            return isinstance(value, str) and len(value) <= self.max_length
        return isinstance(value, bool)


def users_with_roles(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def category_choices_queryset() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name")


def responsible_people() -> QuerySet[User]:
    """Who may be made responsible for a card, each with `open_cards`: how many open cards they are
    responsible for already, counted in the same query. The role filter is a subquery so that a
    person with both roles is counted once; each count reads only their open cards off the
    (responsible, state) index, not all their cards ever, and from the index alone ("*", not the key,
    which only the table holds: at a million cards PostgreSQL read 41,000 rows for 26 people)."""
    open_cards = Complaint.objects.filter(responsible=OuterRef("pk"), state__in=OPEN_STATES).order_by().values(
        "responsible").annotate(n=Count("*")).values("n")
    return User.objects.filter(
        pk__in=users_with_roles(Role.RESPONSIBLE, Role.QMS_HEAD).values("pk"),
    ).annotate(open_cards=Coalesce(Subquery(open_cards), 0))


def responsible_label(user: User) -> str:
    """A person in the responsible-person picker, with their load: "Ivanova A. — 7 open"."""
    count = user.open_cards  # type: ignore[attr-defined]  # responsible_people's annotation
    return ngettext("%(name)s — %(count)d open", "%(name)s — %(count)d open", count) % {
        "name": user, "count": count,
    }
