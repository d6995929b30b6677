"""The evidence of an action's effectiveness check: for each thing the nonconformity concerns (the same
cause, product, component, supplier), the complaints counted since the action was done against the same
length of time just before it. A card's supplier is its own, else its component's (as in norms.py);
only complaints and claims count, never duplicates, withdrawn cards, objections or other requests
(selectors.counted_complaints)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Action, Nonconformity
from .selectors import counted_complaints

# The record's concerns that evidence is gathered for, with the card's value each is matched on.
DIMENSIONS = (("cause", "cause_id"), ("product", "product_id"), ("component", "component_id"),
              ("supplier", "supplier_key"))


@dataclass(frozen=True)
class Dimension:
    """One concern of the record: its name (`cause`, …), what it is, and the cards before and after."""

    dimension: str
    label: str
    before: list[str]
    after: list[str]

    @property
    def count_before(self) -> int:
        return len(self.before)

    @property
    def count_after(self) -> int:
        return len(self.after)


@dataclass(frozen=True)
class Evidence:
    """Windows: before = [before_from, done_at), after = [done_at, until); equally long."""

    before_from: datetime
    done_at: datetime
    until: datetime
    dimensions: list[Dimension]

    def as_json(self) -> dict[str, Any]:
        return {
            "before_from": self.before_from.isoformat(), "done_at": self.done_at.isoformat(),
            "until": self.until.isoformat(),
            "dimensions": [
                {"dimension": d.dimension, "label": d.label, "before": d.before, "after": d.after}
                for d in self.dimensions
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Evidence":
        return cls(
            before_from=datetime.fromisoformat(data["before_from"]), done_at=datetime.fromisoformat(data["done_at"]),
            until=datetime.fromisoformat(data["until"]),
            dimensions=[Dimension(**row) for row in data["dimensions"]],
        )


def _concerns(record: Nonconformity) -> list[tuple[str, int, str]]:
    """(dimension, id, label) of each concern the record has, its objects loaded with the record."""
    return [
        (name, getattr(record, f"{name}_id"), str(getattr(record, name)))
        for name, _key in DIMENSIONS if getattr(record, f"{name}_id") is not None
    ]


def evidence_for_actions(
    record: Nonconformity, actions: Iterable[Action], now: datetime | None = None,
) -> dict[int, Evidence]:
    """The evidence of each done action of one record, from one query of the cards whatever their number."""
    now = now or timezone.now()
    done = [(action.pk, action.done_at) for action in actions if action.done_at is not None]
    if not done:
        return {}
    concerns = _concerns(record)
    keys = dict(DIMENSIONS)
    rows: list[Any] = []
    if concerns:
        earliest = min(done_at - (now - done_at) for _pk, done_at in done)
        matches = Q()
        for name, concern_id, _label in concerns:
            matches |= Q(**{keys[name]: concern_id})
        rows = list(
            counted_complaints().annotate(supplier_key=Coalesce("supplier", "component__supplier"))
            .filter(matches, received_at__gte=earliest, received_at__lt=now)
            .order_by("received_at", "number")
            .values("number", "received_at", "cause_id", "product_id", "component_id", "supplier_key")
        )
    result = {}
    for action_id, done_at in done:
        before_from = done_at - (now - done_at)
        dimensions = []
        for name, concern_id, label in concerns:
            mine = [row for row in rows if row[keys[name]] == concern_id]
            dimensions.append(Dimension(
                name, label,
                before=[row["number"] for row in mine if before_from <= row["received_at"] < done_at],
                after=[row["number"] for row in mine if done_at <= row["received_at"] < now],
            ))
        result[action_id] = Evidence(before_from, done_at, now, dimensions)
    return result


def evidence_for(action: Action, now: datetime | None = None) -> Evidence:
    """The evidence for one done action's check (a fixed number of queries)."""
    if action.done_at is None:
        raise ValidationError(_("The action is not done yet: there is no evidence of its effect."))
    record = Nonconformity.objects.select_related("cause", "product", "component", "supplier").get(
        pk=action.nonconformity_id,
    )
    return evidence_for_actions(record, [action], now)[action.pk]
