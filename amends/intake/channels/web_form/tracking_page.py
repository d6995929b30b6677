"""The customer's tracking page, open to other apps: a part registered here is rendered below the
complaint's status with its own context (the answers app shows the letters published there)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amends.complaints.models import Complaint

# fn(complaint, code) -> the part's context; `code` is the tracking code its links must carry.
PartContext = Callable[[Complaint, str], dict[str, Any]]


@dataclass(frozen=True)
class TrackingPart:
    template: str
    context: dict[str, Any]


_PARTS: dict[str, tuple[str, PartContext]] = {}


def register_tracking_part(name: str, template: str, context: PartContext) -> None:
    _PARTS[name] = (template, context)


def tracking_parts(complaint: Complaint, code: str) -> list[TrackingPart]:
    return [TrackingPart(template, context(complaint, code)) for template, context in _PARTS.values()]


def answer_shown_by_parts(parts: list[TrackingPart]) -> bool:
    """A part whose context has `replaces_answer` shows the card's answer itself (the answers app: its
    letters, once they left), so the page leaves out the answer text recorded on the card."""
    return any(part.context.get("replaces_answer") for part in parts)
