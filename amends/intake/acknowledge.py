import re
from collections.abc import Sequence
from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amends.complaints.events import event_acknowledgement, event_acknowledgement_row
from amends.complaints.models import Complaint, TimelineEvent
from amends.core.bulk import insert_rows

from .models import OutboundMessage
from .outbound import MESSENGER_SENDERS, email_subject, emails_send, send_to_customer, tracking_url_proving

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
    subject, text = _worded(complaint, language)
    outbound = send_to_customer(
        complaint, subject=subject, text=text, purpose=ACKNOWLEDGEMENT, connection=connection,
    )
    if outbound is not None:
        event_acknowledgement(complaint, outbound.recipient)
    return outbound


def acknowledge_many(cards: Sequence[tuple[Complaint, str]], connection: BaseEmailBackend) -> int:
    """`acknowledge` of many new cards, each with the language to write in: the mails are stored with
    their timeline entries in one transaction, then sent over `connection`, each claimed as it
    leaves. A card answered on a messenger is acknowledged alone. Returns how many were stored."""
    # The purpose is checked here, not in the query: SQLite would read by the purpose's index, every
    # acknowledgement ever sent, rather than by the cards'.
    done = {complaint_id for complaint_id, purpose in OutboundMessage.objects.filter(
        complaint_id__in=[complaint.pk for complaint, _language in cards],
    ).order_by().values_list("complaint_id", "purpose") if purpose == ACKNOWLEDGEMENT}
    outbounds, alone = [], 0
    for complaint, language in cards:
        if complaint.pk in done:
            continue
        if complaint.thread_key and complaint.thread_key.split(":", 1)[0] in MESSENGER_SENDERS:
            alone += acknowledge(complaint, language, connection) is not None
            continue
        if complaint.contact is None or not complaint.contact.email:
            continue
        subject, text = _worded(complaint, language)
        outbounds.append(OutboundMessage(
            complaint=complaint, channel="email", recipient=complaint.contact.email, purpose=ACKNOWLEDGEMENT,
            subject=email_subject(complaint, subject), body=text,
            message_id=make_msgid(domain=settings.AMENDS_MAIL_DOMAIN),
        ))
    with transaction.atomic():
        OutboundMessage.objects.bulk_create(outbounds)
        insert_rows(TimelineEvent, [event_acknowledgement_row(o.complaint, o.recipient) for o in outbounds])
    emails_send(outbounds, connection)
    return alone + len(outbounds)


def _worded(complaint: Complaint, language: str) -> tuple[str, str]:
    """The acknowledgement's subject and text, in `language`: the wording rendered once a language
    (and shape), each card's name, number and link put in its slots."""
    contact = complaint.contact
    subject, text = _wording(language, contact is not None, bool(complaint.thread_key))
    values = {"name": contact.full_name if contact is not None else "", "number": complaint.number,
              "url": tracking_url_proving(complaint)}

    def filled(template: str) -> str:
        return _SLOT.sub(lambda slot: values[slot.group(1)], template)

    return filled(subject), filled(text)


# What stands for a card's own values in the wording rendered once; a value put in is never read again.
_SLOT = re.compile("\x00(name|number|url)\x00")


@lru_cache(maxsize=64)
def _wording(language: str, has_contact: bool, has_thread: bool) -> tuple[str, str]:
    card = SimpleNamespace(
        contact=SimpleNamespace(full_name="\x00name\x00") if has_contact else None,
        number="\x00number\x00", thread_key="thread" if has_thread else "",
    )
    with translation.override(language):
        text = render_to_string("intake/acknowledgement.txt", {"complaint": card, "tracking_url": "\x00url\x00"})
        subject = _("Your complaint is registered under No. %(number)s") % {"number": card.number}
    return subject, text
