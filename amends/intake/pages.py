"""What intake adds to the complaints' pages: the card's "Write to the customer" panel, and the
card of a number still waiting in the pipeline, registered when someone opens it."""

from amends.complaints.access import MESSAGE, can_edit_complaint, can_write
from amends.complaints.card_page import register_panel
from amends.complaints.selectors import register_missing_card_hook

from .forms import CustomerMessageForm
from .identity import same_customer_suggestions
from .services import customer_reachable_by, inbound_register_number


def customer_message_panel(request, complaint, bound) -> dict:
    can_message = can_write(request.user, complaint, MESSAGE)
    return {
        "can_message": can_message,
        "reachable_by": customer_reachable_by(complaint) if can_message else "",
        "customer_message_form": bound.get("customer_message") or CustomerMessageForm(),
    }


def same_customer_panel(request, complaint, bound) -> dict:
    posted = bound.get("same_customer")
    return {
        "suggestions": same_customer_suggestions(complaint),
        "can_link": can_edit_complaint(request.user, complaint),
        "same_customer_errors": [str(error) for errors in posted.errors.values() for error in errors] if posted else [],
    }


def register() -> None:
    register_panel(
        "same_customer", "intake/card/same_customer.html", column="main", order=15,
        context=same_customer_panel,
    )
    register_panel(
        "customer_message", "intake/card/customer_message.html", column="side", order=30,
        context=customer_message_panel,
    )
    register_missing_card_hook(inbound_register_number)
