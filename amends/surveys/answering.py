"""The answering's services: the personal link's invitation, its first opening, the customer's "no
more questionnaires", and the answers staff type in from paper, fax, phone or e-mail."""

from datetime import date
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.audit.models import Action
from amends.audit.services import audit_record_object
from amends.customers.models import Contact

from .choices import STAFF_SOURCES
from .models import Invitation, QuestionnaireVersion, Response
from .recording import response_record
from .scoring import Rating
from .selectors import day_start
from .tokens import link_valid


def invitation_for_link(key: str, signature: str) -> Invitation | None:
    """The invitation a personal link opens; None for a forged or unknown link, and for a customer
    whose personal data was erased since (their link says nothing any more)."""
    if not link_valid(key, signature):
        return None
    invitation = (
        Invitation.objects.select_related("campaign__version__questionnaire", "contact").filter(key=key).first()
    )
    if invitation is None or invitation.contact.erased_at is not None:
        return None
    return invitation


def invitation_opened(invitation: Invitation) -> None:
    """The first opening of the link is recorded, later ones are not."""
    now = timezone.now()
    if Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now):
        invitation.opened_at = now


def contact_refuse(contact: Contact) -> Contact:
    """The customer asked for no more questionnaires (the stop page): kept since the first asking,
    and audited, as every change to whether a person may be contacted."""
    if contact.contact_refused_at is None:
        contact.contact_refused_at = timezone.now()
        Contact.objects.filter(pk=contact.pk).update(contact_refused_at=contact.contact_refused_at)
        audit_record_object(
            actor=None, action=Action.CHANGE, obj=contact,
            changes={"contact_refused_at": contact.contact_refused_at, "through": "survey link"},
        )
    return contact


def company_address() -> str:
    """The address a customer writes to when their link no longer works."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def typed_in_record(
    *, actor: User, version: QuestionnaireVersion, contact: Contact, source: str, answered_on: date,
    ratings: dict[int, Rating], recommends: bool | None, continues: bool | None, suggestion: str,
    invitation: Invitation | None = None,
) -> Response:
    """A paper, fax, phone or e-mail answer typed in by staff: through the one recording, with who
    typed it and the day it was given (today: now; an earlier day: its start in the company's time)."""
    if source not in STAFF_SOURCES:
        raise ValidationError(_("Say how the answers came: post, fax, phone or e-mail."))
    today = timezone.localdate()
    if answered_on > today:
        raise ValidationError(_("The answers cannot have come on a day still to come."))
    received_at = timezone.now() if answered_on == today else day_start(answered_on)
    return response_record(
        version=version, ratings=ratings, source=source,
        language=invitation.language if invitation is not None else settings.LANGUAGE_CODE,
        contact=contact, invitation=invitation, recommends=recommends, continues=continues,
        suggestion=suggestion, entered_by=actor, received_at=received_at,
    )
