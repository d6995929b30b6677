"""Tell the responsible person that the customer wrote on the tracking page."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amends.complaints.models import Complaint
from amends.intake.outbound import email_subject

logger = logging.getLogger(__name__)


def card_url(complaint: Complaint) -> str:
    return f"{settings.AMENDS_BASE_URL.rstrip('/')}/complaints/{complaint.number}/"


def notify_responsible_of_message(complaint: Complaint, *, text: str, files: list[str]) -> bool:
    """One short mail in the responsible person's language; mail trouble is logged, never raised."""
    responsible = complaint.responsible
    if responsible is None or not responsible.email:
        return False
    with translation.override(responsible.language or settings.LANGUAGE_CODE):
        subject = email_subject(complaint, _("The customer wrote a new message"))
        body = render_to_string("web_form/notify_responsible.txt", {
            "complaint": complaint, "text": text, "files": files, "url": card_url(complaint),
        })
    try:
        send_mail(subject, body, None, [responsible.email])
    except Exception as error:  # noqa: BLE001 - the message is already on the card
        logger.warning("Notifying %s about %s failed: %s", responsible.email, complaint.number, error)
        return False
    return True
