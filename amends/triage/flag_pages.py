"""Where the flags show: a panel on the card (the flags with their words, the wording's rational and
emotional parts, the negative flag's reading and its right / wrong marks), and on the list a "needs
attention" strip of open cards with an urgent flag above it and a filter by flag.

Every list query here starts from the flags, which are few, and reaches the cards by their key: the
list stays as fast at a million cards."""

from django import forms
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from amends.complaints import access
from amends.complaints.card_page import register_panel
from amends.complaints.choices import OPEN_STATES
from amends.complaints.list_page import (
    register_list_filter,
    register_list_tool,
)
from amends.complaints.selectors import complaints_visible_to

from .flags import RAISES_TO, negative_reading_state
from .models import Flag, FlagKind, FlagLabel
from .parts import split

ANY_FLAG = "any"  # any urgent flag: those that raise importance, not negative emotion alone
STRIP_SIZE = 5
# The strip's candidates: the newest flags first (by key, which follows time and is indexed), read this
# far to find STRIP_SIZE visible open cards.
STRIP_LOOK_AT = 200


def flags_panel(request, complaint, bound) -> dict:
    # By kind alone: the model's order, the card's received time first, would join the cards.
    flags = list(Flag.objects.filter(complaint=complaint).select_related("model").order_by("kind"))
    model, why_lists = negative_reading_state()
    return {
        "flags": flags, "parts": split(complaint.wording),
        "negative_flagged": any(flag.kind == FlagKind.NEGATIVE for flag in flags),
        "negative_label": FlagLabel.objects.filter(complaint=complaint, kind=FlagKind.NEGATIVE)
        .select_related("decided_by").order_by("kind").first(),
        "negative_model": model, "negative_why_lists": why_lists,
        "can_mark": access.can_write(request.user, complaint, access.NOTE),
    }


def flag_filter_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("Flag"), required=False,
        choices=[("", _("Any")), (ANY_FLAG, _("Any urgent flag")), *FlagKind.choices],
    )


def filter_flagged(qs: QuerySet, value: str) -> QuerySet:
    flags = Flag.objects.filter(kind__in=RAISES_TO) if value == ANY_FLAG else Flag.objects.filter(kind=value)
    return qs.filter(pk__in=flags.values("complaint_id"))


def attention_cards(user) -> dict:
    """Up to STRIP_SIZE open cards the user may see, flagged urgent most recently, each with its flags, and
    whether there are more."""
    recent = list(
        Flag.objects.filter(kind__in=RAISES_TO).order_by("-pk").values_list("complaint_id", flat=True)[:STRIP_LOOK_AT]
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
