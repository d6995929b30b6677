"""The training cards of a field: closed cards with their final classification, and every card whose
suggestion records what the card finally got (an acceptance or a correction). Imported history is
ordinary closed cards, so it trains the first model."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from amends.complaints.choices import State
from amends.complaints.models import Complaint

from ..models import NEGATIVE_MODEL, FlagKind, FlagLabel, Suggestion, TriageField
from .flag_model import NO, YES

# The card column holding each field's value.
COLUMNS = {
    TriageField.CATEGORY: "category_id",
    TriageField.CAUSE: "cause_id",
    TriageField.IMPORTANCE: "importance",
    TriageField.DEPARTMENT: "department_concerned_id",
    TriageField.PRODUCT: "product_id",
}
MAX_CARDS = 200_000  # the newest ones; AMENDS_TRIAGE_MAX_CARDS overrides


@dataclass(frozen=True)
class Example:
    complaint_id: int
    text: str
    label: str
    received_at: datetime
    organisation: str = ""  # its id as text, "" for none


def _organisation(pk: int | None) -> str:
    return "" if pk is None else str(pk)


def card_organisation(card: Complaint) -> str:
    """A card's organisation as the models know it (training_examples reads it the same way)."""
    return _organisation(card.organisation_id)


def training_examples(field: str, *, limit: int | None = None) -> list[Example]:
    """Oldest first, at most `limit` (the newest ones), each card once: its suggestion's final value
    where one was recorded, else the closed card's own value."""
    limit = limit or int(getattr(settings, "AMENDS_TRIAGE_MAX_CARDS", MAX_CARDS))
    column = COLUMNS[TriageField(field)]
    found: dict[int, Example] = {}
    closed = (
        Complaint.objects.filter(state=State.CLOSED, **{f"{column}__isnull": False})
        .exclude(wording="").order_by("-received_at", "-pk")
        .values_list("pk", "wording", column, "received_at", "organisation_id")[:limit]
    )
    for pk, wording, value, received_at, organisation in closed.iterator(chunk_size=5000):
        found[pk] = Example(pk, wording, str(value), received_at, _organisation(organisation))
    decided = (
        Suggestion.objects.filter(field=field).exclude(final_value="")
        .order_by("-complaint__received_at").values_list(
            "complaint_id", "complaint__wording", "final_value", "complaint__received_at",
            "complaint__organisation_id",
        )[:limit]
    )
    for pk, wording, value, received_at, organisation in decided.iterator(chunk_size=5000):
        if wording:
            found[pk] = Example(pk, wording, value, received_at, _organisation(organisation))
    examples = sorted(found.values(), key=lambda example: (example.received_at, example.complaint_id))
    return examples[-limit:]


def flag_examples(*, limit: int | None = None) -> list[Example]:
    """The cards whose negative flag an operator marked right or wrong, oldest first, at most `limit`
    (the newest ones): "yes" where the wording is negative."""
    limit = limit or int(getattr(settings, "AMENDS_TRIAGE_MAX_CARDS", MAX_CARDS))
    labels = (
        FlagLabel.objects.filter(kind=FlagKind.NEGATIVE).exclude(complaint__wording="")
        .order_by("-complaint__received_at", "-complaint_id")
        .values_list("complaint_id", "complaint__wording", "present", "complaint__received_at")[:limit]
    )
    found = [Example(pk, wording, YES if present else NO, received_at)
             for pk, wording, present, received_at in labels.iterator(chunk_size=5000)]
    return found[::-1]


def classified_count(field: str) -> int:
    """How many cards training would read (before the limit): to tell whether retraining is worth it."""
    if field == NEGATIVE_MODEL:
        return FlagLabel.objects.filter(kind=FlagKind.NEGATIVE).exclude(complaint__wording="").count()
    column = COLUMNS[TriageField(field)]
    closed = Complaint.objects.filter(state=State.CLOSED, **{f"{column}__isnull": False}).exclude(wording="")
    decided = Suggestion.objects.filter(field=field).exclude(final_value="").exclude(
        complaint__in=closed.values("pk"))
    return closed.count() + decided.count()
