"""The record page's own sections: the summary (what it is, what it concerns, its owner, its state
and the steps taken here), the linked complaints, and the timeline."""

from django.utils.translation import gettext_lazy as _

from amends.complaints import access as card_access
from amends.complaints.models import Complaint

from ..access import can_manage, is_process_owner
from ..choices import NonconformityState as S
from ..forms.records import AppointForm, CloseForm, LinkForm, RecordEditForm, ReopenForm
from ..lifecycle import CLOSE, REOPEN, STEPS
from ..record_page import register_section

# The lifecycle's path as the page draws it, and who takes the next step and where.
PATH = (S.OPEN, S.ANALYSED, S.ACTIONS_PLANNED, S.ACTIONS_DONE, S.EFFECTIVENESS_CHECKED, S.CLOSED)
NEXT = {
    S.OPEN: _("Next: the owner analyses the root cause."),
    S.ANALYSED: _("Next: the owner plans the corrective and preventive actions."),
    S.ACTIONS_PLANNED: _("Next: the actions' owners carry them out and report."),
    S.ACTIONS_DONE: _("Next: the effectiveness of the actions is checked on their check dates."),
    S.EFFECTIVENESS_CHECKED: _("Next: the head of the QMS closes the nonconformity."),
}


def summary(request, record, bound) -> dict:
    user = request.user
    manages = can_manage(user, record)
    head = is_process_owner(user)
    current = PATH.index(record.state)
    return {
        "path": [
            {"state": state, "label": state.label, "done": index < current or record.state == S.CLOSED,
             "current": index == current}
            for index, state in enumerate(PATH)
        ],
        "next_step": NEXT.get(record.state),
        # A form posted with errors is shown again whatever the state, with the reason it was refused.
        "appoint_form": bound.get("appoint") or (AppointForm(initial={"owner": record.owner_id}) if head else None),
        "edit_form": bound.get("edit") or (RecordEditForm(record=record) if manages and record.state != S.CLOSED
                                           else None),
        "close_form": bound.get("close") or (CloseForm() if head and record.state in STEPS[CLOSE].sources else None),
        "reopen_form": bound.get("reopen") or (ReopenForm() if manages and record.state in STEPS[REOPEN].sources
                                               else None),
    }


def complaints(request, record, bound) -> dict:
    """The linked cards; a card the reader may not see shows its number only."""
    user = request.user
    links = list(record.links.select_related("complaint__cause", "complaint__supplier").order_by("linked_at", "pk"))
    visible = set(
        Complaint.objects.filter(card_access.relations_filter(user), pk__in=[link.complaint_id for link in links])
        .values_list("pk", flat=True)
    ) if links else set()
    return {
        "links": [
            {"card": link.complaint, "visible": link.complaint_id in visible,
             "can_unlink": card_access.can_write(user, link.complaint, card_access.NONCONFORMITY)}
            for link in links
        ],
        "link_form": bound.get("link") or (LinkForm(visible=Complaint.objects.none()) if can_manage(user, record)
                                           else None),
    }


def timeline(request, record, bound) -> dict:
    return {"events": record.events.select_related("actor")}


def register() -> None:
    register_section("summary", "capa/record/summary.html", order=10, context=summary)
    register_section("complaints", "capa/record/complaints.html", order=20, context=complaints)
    register_section("timeline", "capa/record/timeline.html", order=90, context=timeline)
