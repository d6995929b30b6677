"""The card's forms from intake: "Write to the customer" and "Same customer" (the panels are in pages.py)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints.access import EDIT, MESSAGE, access_writer
from amends.complaints.card_page import card_for_request, card_form_post

from .forms import CustomerMessageForm, SameCustomerForm
from .identity import complaint_same_customer
from .services import message_to_customer


@login_required
@require_POST
def message_customer(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, MESSAGE)  # refused before the form is read
    return card_form_post(
        request, complaint, CustomerMessageForm(request.POST), "customer_message",
        lambda text, reason: message_to_customer(complaint=complaint, actor=request.user, text=text, reason=reason),
        _("Message sent to the customer."),
    )


@login_required
@require_POST
def same_customer(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, EDIT)  # refused before the form is read
    return card_form_post(
        request, complaint, SameCustomerForm(request.POST), "same_customer",
        lambda contact: complaint_same_customer(complaint=complaint, contact=contact, actor=request.user),
        _("The complaint is now filed under the known customer."),
    )
