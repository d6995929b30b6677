"""The answers app's timeline entries, worded in the reader's language (complaints/event_texts.py):
compensation granted, proposed, approved or refused (params name the option and the people as
written, values as decimal strings with their currency, dates in ISO), and the answer sent (the
channel, to whom, when it left, the attachments, any reason given, then the text as sent)."""

from django.utils.translation import gettext as _

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, event_text_register, iso_date, iso_datetime

from .models import DeliveryChannel
from .money import money

GRANTED, PENDING, APPROVED, REFUSED, PRICE = "granted", "pending", "approved", "refused", "price"


def _what(params: Params) -> dict[str, str]:
    return {
        "option": params["option"], "value": money(params["value"], params["currency"]),
        "method": params["method"], "due": iso_date(params["due"]),
    }


def _granted(params: Params) -> str:
    return _("Compensation granted: %(option)s, %(value)s (%(method)s, by %(due)s).") % _what(params)


def _pending(params: Params) -> str:
    return _(
        "Compensation proposed: %(option)s, %(value)s (%(method)s, by %(due)s). "
        "Above the limit of %(limit)s: waits for the approval of the head of the QMS."
    ) % {**_what(params), "limit": money(params["limit"], params["currency"]) if params["limit"] else "—"}


def _approved(params: Params) -> str:
    return _("Compensation approved: %(option)s, %(value)s, granted by %(granted_by)s.") % {
        **_what(params), "granted_by": params["granted_by"],
    }


def _refused(params: Params) -> str:
    return _("Compensation refused: %(option)s, %(value)s, granted by %(granted_by)s. Reason: %(reason)s") % {
        **_what(params), "granted_by": params["granted_by"], "reason": params["reason"],
    }


def _price(params: Params) -> str:
    return _("Price of the goods for the statutory penalty: %(price)s.") % {
        "price": money(params["price"], params["currency"]),
    }


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
    for code, render in [
        (GRANTED, _granted), (PENDING, _pending), (APPROVED, _approved), (REFUSED, _refused), (PRICE, _price),
    ]:
        event_text_register(EventKind.COMPENSATION, code, render)
    for channel in DeliveryChannel:
        event_text_register(EventKind.ANSWER_SENT, channel, _answer_sent)
