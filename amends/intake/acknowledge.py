from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amends.complaints.models import Complaint

from .outbound import send_to_customer, tracking_url


def acknowledge(complaint: Complaint):
    """Tell the customer the complaint is registered, with its number and private tracking link."""
    complaint = Complaint.objects.select_related("contact").get(pk=complaint.pk)
    with translation.override(translation.get_language() or "ru"):
        text = render_to_string("intake/acknowledgement.txt", {
            "complaint": complaint, "tracking_url": tracking_url(complaint),
        })
        subject = _("Your complaint is registered under No. %(number)s") % {"number": complaint.number}
    return send_to_customer(complaint, subject=subject, text=text)
