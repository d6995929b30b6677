"""The card's "Satisfaction and loyalty" panel (side column, after the sign-offs): the closing
record, the card's survey (its invitation and the response) and the link to the customer's page,
shown together as history.py reads them. Registered from SurveysConfig.ready()."""

from amends.complaints.card_page import register_panel
from amends.complaints.choices import State
from amends.complaints.models import Complaint

from .access import can_see_customer, can_see_response
from .history import closers, with_closer
from .models import Invitation, Response
from .models.policy import policy

# After the sign-offs (25), before the call log (40).
ORDER = 30


def loyalty_panel(request, complaint: Complaint, bound) -> dict:
    user = request.user
    closing = None
    if complaint.state == State.CLOSED:
        card = with_closer(Complaint.objects.filter(pk=complaint.pk)).get()
        closing = {"closed_by": closers([card]).get(card.pk)}
    invitations = list(Invitation.objects.filter(complaint=complaint).select_related("campaign").order_by("pk"))
    responses = [
        (response, can_see_response(user, response))
        for response in Response.objects.filter(complaint=complaint).select_related("entered_by").order_by("pk")
    ]
    contact = complaint.contact
    customer = contact if contact is not None and can_see_customer(user, contact) else None
    return {
        "loyalty_closing": closing, "loyalty_invitations": invitations, "loyalty_responses": responses,
        "loyalty_customer": customer,
        # Read only to mark the responses' K: most cards have none.
        "loyalty_threshold": policy().k_threshold if responses else None,
        "loyalty_shown": bool(closing or invitations or responses or customer),
    }


def register() -> None:
    register_panel("satisfaction_loyalty", "surveys/card/panel.html", column="side", order=ORDER, context=loyalty_panel)
