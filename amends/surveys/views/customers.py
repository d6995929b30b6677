"""The customer's page: who they are, their cards with the closing record, their K through time and
everything they said about their satisfaction and loyalty (history.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.customers.models import Contact

from ..access import access_customer, can_see_surveys, responses_visible_filter
from ..charts import k_line
from ..history import closers, k_history, loyalty_history, with_closer
from ..models import Response
from ..models.policy import policy
from ..selectors import k_summary


def customer_cards(contact: Contact) -> list[tuple[Complaint, User | None]]:
    """Every card of the customer, newest first, with who closed it."""
    cards = list(with_closer(Complaint.objects.filter(contact=contact)).select_related("responsible").order_by(
        "-received_at", "-pk",
    ))
    users = closers(cards)
    return [(card, users.get(card.pk)) for card in cards]


@login_required
def customer(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("organisation"), pk=pk)
    access_customer(request.user, contact)
    threshold = policy().k_threshold
    points = k_history(contact)
    responses = Response.objects.filter(contact=contact)
    # The responses this user may open: every one for overseers, else those of their cards or follow-ups.
    openable = None if can_see_surveys(request.user) else set(
        responses.filter(responses_visible_filter(request.user)).values_list("pk", flat=True)
    )
    return render(request, "surveys/customers/detail.html", {
        "contact": contact, "cards": customer_cards(contact), "points": list(reversed(points)),
        "chart": k_line([(at, k) for at, k, _response in points], threshold=threshold,
                        title=_("K of %(name)s through time") % {"name": contact.full_name}) if points else "",
        "summary": k_summary(responses, threshold), "threshold": threshold,
        "entries": loyalty_history(contact), "openable": openable,
    })
