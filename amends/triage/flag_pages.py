"""Where the flags show: a panel on the card (the flags with their words, the wording's rational and
emotional parts), and on the list a "needs attention" strip of flagged open cards above it, a
column of each card's flags and a filter by flag.

Every list query here starts from the flags, which are few, and reaches the cards by their key: the
list stays as fast at a million cards."""

from django import forms
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from amends.complaints.card_page import register_panel
from amends.complaints.choices import OPEN_STATES
from amends.complaints.list_page import (
    register_list_filter,
    register_list_tool,
)
from amends.complaints.selectors import complaints_visible_to

from .models import Flag, FlagKind
from .parts import split

ANY_FLAG = "any"
STRIP_SIZE = 5
# The strip's candidates: the newest flags first (by key, which follows time and is indexed), read this
# far to find STRIP_SIZE visible open cards.
STRIP_LOOK_AT = 200


def flags_panel(request, complaint, bound) -> dict:
    flags = list(Flag.objects.filter(complaint=complaint))
    return {"flags": flags, "parts": split(complaint.wording)}


def flag_filter_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("Flag"), required=False,
        choices=[("", _("Any")), (ANY_FLAG, _("Any flag")), *FlagKind.choices],
    )


def filter_flagged(qs: QuerySet, value: str) -> QuerySet:
    flags = Flag.objects.all() if value == ANY_FLAG else Flag.objects.filter(kind=value)
    return qs.filter(pk__in=flags.values("complaint_id"))


def attention_cards(user) -> dict:
    """Up to STRIP_SIZE open cards the user may see, flagged most recently, each with its flags, and
    whether there are more."""
    recent = list(
        Flag.objects.order_by("-pk").values_list("complaint_id", flat=True)[:STRIP_LOOK_AT]
    )
    keys = list(dict.fromkeys(recent))
    cards = complaints_visible_to(user).filter(pk__in=keys, state__in=OPEN_STATES).prefetch_related(
        Prefetch("triage_flags", queryset=Flag.objects.all()),
    ).only("pk", "number", "importance", "wording", "state")
    found = {card.pk: card for card in cards}
    ordered = [found[key] for key in keys if key in found]
    return {"attention": ordered[:STRIP_SIZE], "attention_more": len(ordered) > STRIP_SIZE}


def register() -> None:
    # Right under the customer's wording, which it splits into its two parts.
    register_panel("triage_flags", "triage/flags_panel.html", column="main", order=25, context=flags_panel)
    register_list_filter("flag", field=flag_filter_field, apply=filter_flagged)
    register_list_tool("attention", "triage/flags_tool.html", order=10)
