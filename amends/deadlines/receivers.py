"""The lifecycle's hooks: every happening that starts, meets or stops a clock is a timeline event,
so the deadlines follow the card without any other app calling them."""

from amends.complaints.choices import FINAL_STATES, EventKind
from amends.complaints.models import Complaint, TimelineEvent

from . import services
from .choices import ClockKind


def on_timeline_event(sender, instance: TimelineEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    event, complaint = instance, instance.complaint
    if event.kind == EventKind.REGISTERED:
        services.clocks_start(complaint=complaint)
    elif event.kind in services.MET_BY_EVENT:
        services.clocks_meet(complaint_id=complaint.pk, kinds=services.MET_BY_EVENT[event.kind], at=event.created_at)
    elif event.kind == EventKind.MESSAGE_IN:
        services.waiting_end(complaint=complaint, actor=None)
    elif event.kind == EventKind.TRANSITION:
        if event.to_state in FINAL_STATES:
            services.clocks_stop(complaint_id=complaint.pk, at=event.created_at)
        elif event.transition in services.MET_BY_TRANSITION:
            services.clocks_meet(
                complaint_id=complaint.pk, kinds=services.MET_BY_TRANSITION[event.transition], at=event.created_at,
            )
        elif event.transition == "reopen":
            services.clock_restart(complaint=complaint, kind=ClockKind.DECISION, at=event.created_at)


def on_complaint_saved(sender, instance: Complaint, created: bool, raw: bool = False, **kwargs) -> None:
    if created or raw or instance.state in FINAL_STATES:
        return
    services.clocks_follow_card(complaint=instance)
