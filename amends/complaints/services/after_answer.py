"""The customer writes to an answered or closed card (DOMAIN.md §4): their words are never buried.

The card is flagged in the same transaction as the message is recorded, and stays flagged until the
responsible person or the head of the QMS decides: reopen it (the `reopen_for_message` step) or keep
it as it is (`complaint_keep_closed`). With AMENDS_REOPEN_WITHIN_DAYS set, a message that comes within
that many days of the answer reopens the card by itself.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.core.errors import TransitionNotAllowed

from .. import access, signals
from ..choices import State
from ..events import event_kept_closed
from ..models import Complaint, TimelineEvent
from .lifecycle import card_locked, complaint_transition

ANSWERED_STATES = frozenset({State.ANSWERED, State.CLOSED})
FLAG_FIELDS = ["message_after_answer_at", "message_after_answer", "updated_at"]


def message_after_answer_record(complaint: Complaint, event: TimelineEvent) -> None:
    """The customer's message `event` is on the card: flag an answered or closed card, or reopen it
    by the rule. Inside the transaction that recorded the message; `complaint` is refreshed."""
    if complaint.state not in ANSWERED_STATES:
        return
    card = card_locked(complaint, None)
    if card.message_after_answer_at is None:
        card.message_after_answer_at, card.message_after_answer = event.created_at, event
        card.save(update_fields=FLAG_FIELDS)
        signals.complaint_changed.send(
            sender=Complaint, complaint=card, actor=None, fields=frozenset({"message_after_answer_at"}),
        )
    within = settings.AMENDS_REOPEN_WITHIN_DAYS
    if within > 0 and card.answered_at is not None and event.created_at - card.answered_at <= timedelta(days=within):
        # The system's words, in the company's language, whatever the language of the customer's page.
        with translation.override(settings.LANGUAGE_CODE):
            rule = _("Reopened by the rule: the customer wrote within %(days)d days of the answer "
                     "(AMENDS_REOPEN_WITHIN_DAYS).") % {"days": within}
        complaint_transition(complaint=card, name="reopen_for_message", actor=None, comment=rule)
    complaint.refresh_from_db()


@transaction.atomic
def complaint_keep_closed(
    *, complaint: Complaint, actor: User, text: str, expected_version: int | None = None,
) -> Complaint:
    """The customer's message after the answer is handled without reopening the card (answered by
    phone or by letter, or nothing to do); `text` says how, on the timeline."""
    card = card_locked(complaint, expected_version)
    access.access_write(actor, card, access.AFTER_ANSWER)
    if card.message_after_answer_at is None:
        raise TransitionNotAllowed(_("The customer has not written since the answer."))
    if not text.strip():
        raise ValidationError({"text": _("Say how the customer's message was handled.")})
    card.message_after_answer_at, card.message_after_answer = None, None
    card.version += 1
    card.save(update_fields=[*FLAG_FIELDS, "version"])
    signals.complaint_changed.send(
        sender=Complaint, complaint=card, actor=actor, fields=frozenset({"message_after_answer_at"}),
    )
    event_kept_closed(card, actor, text.strip())
    return card
