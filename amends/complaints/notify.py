"""Mail to staff about a card; in-app notifications and digests come with the deadline worker."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from amends.accounts.models import User
from amends.accounts.roles import Role

from .models import Complaint

logger = logging.getLogger(__name__)


def card_url(complaint: Complaint) -> str:
    return f"{settings.AMENDS_BASE_URL.rstrip('/')}/complaints/{complaint.number}/"


def notify_users(users, complaint: Complaint, *, template: str, **context) -> int:
    """One mail per user, in their own language (the template's first line is the subject);
    a failure is logged, never raised into the caller."""
    sent = 0
    for user in users:
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, _, body = render_to_string(template, {
                "complaint": complaint, "user": user, "url": card_url(complaint), **context,
            }).strip().partition("\n")
        try:
            sent += send_mail(f"[#{complaint.number}] {subject.strip()}", body.strip(), None, [user.email])
        except Exception as error:  # noqa: BLE001 - mail trouble must not undo the complaint
            logger.warning("Notification about %s to %s failed: %s", complaint.number, user.email, error)
    return sent


def notify_qms_heads(complaint: Complaint) -> int:
    heads = User.objects.filter(is_active=True, groups__name=Role.QMS_HEAD).distinct()
    return notify_users(heads, complaint, template="complaints/mail/internal_filed.txt")
