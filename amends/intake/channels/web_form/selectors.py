"""What a customer sees of their card on the tracking page: the stage, the date, the conversation.

Only the customer's own words and what was written to them: never internal notes, field changes,
measures or staff names beyond a first name.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.complaints.choices import EventKind, State
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage

# Each state in the customer's words; keyed by str, as the card's state field reads.
CUSTOMER_STAGES: dict[str, str | Promise] = {
    State.REGISTERED: _("We have received your complaint"),
    State.ASSIGNED: _("A responsible person is taking up your complaint"),
    State.INVESTIGATING: _("We are looking into it"),
    State.DECIDED: _("We have reached a decision"),
    State.MEASURES_PLANNED: _("We are planning how to put things right"),
    State.IN_PROGRESS: _("We are putting things right"),
    State.RESOLVED: _("Put right; we are preparing our answer"),
    State.ANSWERED: _("We have answered you"),
    State.CLOSED: _("Closed"),
    State.DUPLICATE: _("Handled together with an earlier complaint on the same matter"),
    State.WITHDRAWN: _("Withdrawn"),
}
# Stages that still wait for a first reaction rather than for the answer itself.
FIRST_REACTION_STATES = frozenset({State.REGISTERED, State.ASSIGNED})
NO_ANSWER_EXPECTED = frozenset({State.ANSWERED, State.CLOSED, State.DUPLICATE, State.WITHDRAWN})
# A code of the same length and alphabet, compared when the number is unknown, so that an unknown
# number costs the same as a wrong code.
_DUMMY_CODE = "x" * 24

_Tracked = TypeVar("_Tracked", Complaint, InboundMessage)


def complaint_for_tracking(number: str, code: str) -> Complaint | None:
    """The card when the secret code matches, else None, whatever was wrong."""
    complaint = (
        Complaint.objects.select_related("responsible").filter(number=number).first()
        if len(number) <= 20 else None
    )
    return _if_code_matches(complaint, code)


def submission_for_tracking(number: str, code: str) -> InboundMessage | None:
    """A stored submission (web form or API) still waiting for its card, when the secret code matches."""
    submission = (
        InboundMessage.objects.exclude(number="").filter(number=number).first() if 0 < len(number) <= 20 else None
    )
    return _if_code_matches(submission, code)


def _if_code_matches(found: _Tracked | None, code: str) -> _Tracked | None:
    """`found` when the code is its tracking code; an unknown number costs the same comparison."""
    expected = found.tracking_code if found is not None else _DUMMY_CODE
    matches = secrets.compare_digest(code.encode(), expected.encode())
    return found if found is not None and matches else None


def customer_stage(complaint: Complaint) -> str:
    return str(CUSTOMER_STAGES.get(complaint.state, complaint.get_state_display()))


def expected_answer_date(complaint: Complaint) -> date | None:
    """A plain rule until the deadline clocks of a later issue replace it: a first reaction the day
    after the complaint arrived, the answer within ten days of it; nothing once answered."""
    if complaint.state in NO_ANSWER_EXPECTED or complaint.answered_at is not None:
        return None
    days = 1 if complaint.state in FIRST_REACTION_STATES else 10
    return timezone.localdate(complaint.received_at + timedelta(days=days))


@dataclass
class ConversationItem:
    at: datetime
    from_customer: bool
    author: str  # a first name for staff, empty for the customer
    text: str
    files: list[str] = field(default_factory=list)


def customer_conversation(complaint: Complaint) -> list[ConversationItem]:
    """The complaint as first written, the messages both ways and the files the customer sent."""
    items: list[ConversationItem] = []
    events = (
        complaint.events.filter(kind__in=[
            EventKind.REGISTERED, EventKind.MESSAGE_IN, EventKind.MESSAGE_OUT, EventKind.ATTACHMENT,
        ]).select_related("actor").order_by("created_at", "pk")
    )
    for event in events:
        if event.kind == EventKind.REGISTERED:
            items.append(ConversationItem(complaint.received_at, True, "", complaint.wording))
        elif event.kind == EventKind.MESSAGE_IN:
            items.append(ConversationItem(event.created_at, True, "", event.text))
        elif event.kind == EventKind.MESSAGE_OUT:
            author = event.actor.first_name if event.actor is not None else ""
            items.append(ConversationItem(event.created_at, False, author, event.text))
        elif event.actor_id is None:
            # A file the customer sent (staff files may be internal evidence and stay hidden).
            if not items or not items[-1].from_customer:
                items.append(ConversationItem(event.created_at, True, "", ""))
            items[-1].files.append(event.text)
    return items
