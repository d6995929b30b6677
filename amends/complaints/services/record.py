"""The card as a record after registration: its customer corrected, its sign-offs (DOMAIN.md §2)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.core.errors import TransitionNotAllowed
from amends.customers.models import Contact
from amends.customers.services import contact_forget_if_unused

from .. import access, signals
from ..choices import Signatory, State
from ..events import event_field_changes, event_sign_off
from ..models import Complaint, SignOff
from .lifecycle import card_locked, complaint_contact_set

# The contact's details a person corrects on the card, in the order the timeline shows them.
CONTACT_DETAILS = ("full_name", "phone", "fax", "email", "address")
SIGN_OFF_WRITES: dict[str, str] = {Signatory.RESPONSIBLE: access.SIGN_RESPONSIBLE, Signatory.QMS_HEAD: access.SIGN_QMS}


def _contact_summary(contact: Contact | None) -> str:
    if contact is None:
        return ""
    return " · ".join(value for value in (getattr(contact, name) for name in CONTACT_DETAILS) if value)


@transaction.atomic
def complaint_customer_correct(
    *, complaint: Complaint, actor: User, other: Contact | None = None, details: dict[str, str] | None = None,
) -> Complaint:
    """Correct whom the card is from after registration: move it to `other`, a known customer, or
    correct the details of its contact person (which are theirs on all their cards). The timeline
    shows the customer before → after."""
    complaint = card_locked(complaint, None)
    access.access_write(actor, complaint, access.CUSTOMER)
    if other is not None:
        if other.pk == complaint.contact_id:
            raise ValidationError({"other": _("The card is already this customer's.")})
        previous = complaint.contact
        complaint = complaint_contact_set(complaint=complaint, contact=other, actor=actor)
        if previous is not None:  # a public form's unconfirmed contact goes once no card is theirs
            contact_forget_if_unused(contact=previous)
        return complaint
    details = {name: (details or {}).get(name, "").strip() for name in CONTACT_DETAILS}
    if not details["full_name"]:
        raise ValidationError({"full_name": _("Enter the customer's name.")})
    contact = complaint.contact
    before = _contact_summary(contact)
    if contact is None:  # a card registered without a customer gets one
        contact = Contact(organisation=complaint.organisation)
    for name, value in details.items():
        setattr(contact, name, value)
    contact.full_clean()
    after = _contact_summary(contact)
    if after == before:
        return complaint
    contact.save()
    if complaint.contact_id != contact.pk:
        return complaint_contact_set(complaint=complaint, contact=contact, actor=actor)
    event_field_changes(complaint, actor, [("contact", before, after)])
    complaint.version += 1
    complaint.save(update_fields=["version", "updated_at"])
    # The customer's e-mail or phone may now match other cards: the duplicates search looks again.
    signals.complaint_changed.send(sender=Complaint, complaint=complaint, actor=actor, fields=frozenset({"contact"}))
    return complaint


@transaction.atomic
def complaint_sign_off(*, complaint: Complaint, actor: User, signatory: str) -> SignOff:
    """Sign the closed card off as its responsible person or as the head of the QMS: who and when
    are kept with the card, printed on it and written on the timeline."""
    complaint = card_locked(complaint, None)
    access.access_write(actor, complaint, SIGN_OFF_WRITES[Signatory(signatory)])
    if complaint.state != State.CLOSED:
        raise TransitionNotAllowed(_("The card is signed off once the complaint is closed."))
    earlier = complaint.sign_offs.filter(signatory=signatory).select_related("signed_by").first()
    if earlier is not None:
        raise TransitionNotAllowed(
            _("%(user)s has already signed the card off as %(signatory)s.")
            % {"user": earlier.signed_by, "signatory": Signatory(signatory).label}
        )
    sign_off = SignOff.objects.create(complaint=complaint, signatory=signatory, signed_by=actor)
    event_sign_off(complaint, actor, str(Signatory(signatory).label))
    return sign_off
