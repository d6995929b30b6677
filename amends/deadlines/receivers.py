"""The lifecycle's hooks: the complaints services announce what happened to a card (complaints/signals.py),
and its clocks start, are met, stop or restart here, inside the service's transaction."""

from datetime import datetime

from amends.accounts.models import User
from amends.complaints.choices import FINAL_STATES
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.signals import after_registration
from amends.complaints.transitions import REOPENINGS

from . import services
from .choices import ClockKind


def on_registered(sender, *, complaint: Complaint, **kwargs) -> None:
    # A batch's cards get their clocks in one insert.
    after_registration(services.clocks_start_registered, complaint)


def on_changed(sender, *, complaint: Complaint, actor: User | None, fields: frozenset[str], **kwargs) -> None:
    # Any write of the card's row: the running clocks take the policy that fits the card now.
    if complaint.state in FINAL_STATES:
        return
    services.clocks_follow_card(complaint=complaint)


def on_transitioned(
    sender, *, complaint: Complaint, transition: str, to_state: str, at: datetime,
    awaits_delivery: bool = False, **kwargs,
) -> None:
    if to_state in FINAL_STATES:
        services.clocks_stop(complaint_id=complaint.pk, at=at)
    elif transition in services.MET_BY_TRANSITION and not awaits_delivery:
        # A written answer on its way meets its clocks when it leaves (on_answer_delivered).
        services.clocks_meet(complaint_id=complaint.pk, kinds=services.MET_BY_TRANSITION[transition], at=at)
    elif transition in REOPENINGS:
        services.clock_restart(complaint=complaint, kind=ClockKind.DECISION, at=at)
    elif transition == "unmark_duplicate":
        services.clocks_resume(complaint_id=complaint.pk)


def on_customer_contacted(sender, *, complaint: Complaint, event: TimelineEvent, **kwargs) -> None:
    services.clocks_meet(complaint_id=complaint.pk, kinds=services.MET_BY_EVENT[event.kind], at=event.created_at)


def on_customer_replied(sender, *, complaint: Complaint, event: TimelineEvent, **kwargs) -> None:
    services.waiting_end(complaint=complaint, actor=None)


def on_answer_delivered(sender, *, complaint: Complaint, at: datetime, final: bool, **kwargs) -> None:
    """The answer left: a final one meets what the `answer` step would have; a holding reply or a
    request for information is a first response only."""
    kinds = services.MET_BY_TRANSITION["answer"] if final else (ClockKind.FIRST_RESPONSE,)
    services.clocks_meet(complaint_id=complaint.pk, kinds=kinds, at=at)
