"""The card's triage panel: each field's suggestion, its confidence and the next best, to accept or correct."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest

from amends.complaints import access
from amends.complaints.card_page import register_panel
from amends.complaints.models import Complaint

from .fields import FIELDS
from .models import Suggestion, SuggestionSource, SuggestionStatus


@dataclass(frozen=True)
class Shown:
    """One field's suggestion as the panel shows it, labels in the reader's language."""

    suggestion: Suggestion
    field_label: str
    label: str
    percent: int
    alternatives: list[tuple[str, str, int]]
    current: str  # the card's value now
    options: list[tuple[str, str]]  # every value to pick instead; empty when the user may not

    @property
    def is_open(self) -> bool:
        return self.suggestion.status == SuggestionStatus.OPEN and bool(self.suggestion.value)

    @property
    def matches_card(self) -> bool:
        return bool(self.suggestion.value) and self.current == self.suggestion.value


def _context(request: HttpRequest, complaint: Complaint, bound: Mapping[str, forms.BaseForm]) -> dict[str, Any]:
    # By field alone: the model's order, the card's received time first, would join the cards.
    suggestions = list(Suggestion.objects.filter(complaint=complaint).order_by("field"))
    can_decide = access.can_edit_complaint(request.user, complaint)  # type: ignore[arg-type]
    shown = []
    for name, spec in FIELDS.items():
        suggestion = next((s for s in suggestions if s.field == name), None)
        if suggestion is None:
            continue
        options = spec.options() if can_decide else {}
        wanted = {suggestion.value, *(alt[0] for alt in suggestion.alternatives)} - {""}
        labels = {value: spec.label(value, option) for value, option in (options or spec.options(wanted)).items()}
        shown.append(Shown(
            suggestion=suggestion, field_label=spec.label_text,
            label=labels.get(suggestion.value, suggestion.label), percent=round(suggestion.confidence * 100),
            alternatives=[(value, labels.get(value, label), round(confidence * 100))
                          for value, label, confidence in suggestion.alternatives],
            current=spec.current(complaint), options=list(labels.items()) if can_decide else [],
        ))
    return {"triage_rows": shown, "triage_can_decide": can_decide, "triage_none": SuggestionSource.NONE}


def register() -> None:
    register_panel("triage", "triage/card_panel.html", column="main", order=25, context=_context)
