"""The timeline's "answer sent" entry, worded in the reader's language (complaints/event_texts.py):
the channel, to whom, when it left, the attachments, any reason given, then the text as sent."""

from django.utils.translation import gettext as _

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, event_text_register, iso_datetime

from .models import DeliveryChannel


def _answer_sent(params: Params) -> str:
    if params["channel"] == DeliveryChannel.TRACKING:  # its recipient is the page's address, no one's name
        sent = _("Published on the customer's tracking page at %(at)s") % {"at": iso_datetime(params["at"])}
    else:
        sent = _("Sent by %(channel)s to %(recipient)s at %(at)s") % {
            "channel": DeliveryChannel(params["channel"]).label.lower(), "recipient": params["recipient"],
            "at": iso_datetime(params["at"]),
        }
    lines = [
        sent,
        _("Subject: %(subject)s") % {"subject": params["subject"]},
    ]
    if params["attachments"]:
        lines.append(_("Attachments: %(names)s") % {"names": ", ".join(params["attachments"])})
    if params["reason"]:
        lines.append(_("Sent despite the tone check because: %(reason)s") % {"reason": params["reason"]})
    return "\n".join(lines) + "\n\n" + params["text"]


def register() -> None:
    for channel in DeliveryChannel:
        event_text_register(EventKind.ANSWER_SENT, channel, _answer_sent)
