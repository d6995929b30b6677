from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amends.complaints.events import event_acknowledgement
from amends.complaints.models import Complaint

from .models import OutboundMessage
from .outbound import send_to_customer, tracking_url_proving

ACKNOWLEDGEMENT = "acknowledgement"


def acknowledge(
    complaint: Complaint, language: str = "ru", connection: BaseEmailBackend | None = None,
) -> OutboundMessage | None:
    """Tell the customer the complaint is registered, with its number and private tracking link;
    once per card, however often the job runs. The card's timeline says to whom it went (a mail
    refused now is sent again by the worker's retry)."""
    if OutboundMessage.objects.filter(complaint_id=complaint.pk, purpose=ACKNOWLEDGEMENT).exists():
        return None
    complaint = Complaint.objects.select_related("contact").get(pk=complaint.pk)
    with translation.override(language):
        text = render_to_string("intake/acknowledgement.txt", {
            "complaint": complaint, "tracking_url": tracking_url_proving(complaint),
        })
        subject = _("Your complaint is registered under No. %(number)s") % {"number": complaint.number}
    outbound = send_to_customer(
        complaint, subject=subject, text=text, purpose=ACKNOWLEDGEMENT, connection=connection,
    )
    if outbound is not None:
        event_acknowledgement(complaint, outbound.recipient)
    return outbound
