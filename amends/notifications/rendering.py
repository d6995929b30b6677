"""A notification's text, rendered when it is shown or sent, in the language its reader has then."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.core.links import absolute_url

from .models import Notification, Rendered


def card_url(complaint: Complaint) -> str:
    return absolute_url(reverse("complaints:detail", args=[complaint.number]))


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def render_notification(notification: Notification, language: str = "") -> Rendered:
    """The template's first line is the subject, the rest the body, in `language` or else the
    reader's. Needs `user` (and `complaint`, if any) loaded; the context given at creation may
    override `url`."""
    complaint = notification.complaint
    url = card_url(complaint) if complaint else absolute_url(reverse("complaints:list"))
    with translation.override(language or language_of(notification.user)):
        text = render_to_string(notification.template, {
            "complaint": complaint, "user": notification.user, "url": url,
            "base_url": absolute_url(""), **notification.context,
        })
    subject, _, body = text.strip().partition("\n")
    return Rendered(subject=subject.strip(), body=body.strip())


def mail_subject(notification: Notification, rendered: Rendered) -> str:
    """Prefixed with the card number, as every mail about a card is, so replies thread onto it."""
    if notification.complaint is None:
        return rendered.subject
    return f"[#{notification.complaint.number}] {rendered.subject}"
