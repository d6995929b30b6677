"""Who sent a complaint: the known customer when the channel vouches for them, else a new, provisional
contact that an operator links to a known one ("same customer") or that the customer proves by the
link mailed to them. Anyone can type a customer's e-mail into a public form."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.access import access_edit_complaint
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_contact_set
from amends.customers.models import Contact, phone_digits
from amends.customers.selectors import contact_known_matches
from amends.customers.services import contact_create, contact_forget_if_unused, contact_mark_known

from .outbound import email_proof
from .parsed import IncomingComplaint


def contact_find(incoming: IncomingComplaint) -> Contact | None:
    """The known contact with this e-mail or phone, when the channel vouches for them; a public
    submission matches no one (anyone can type a customer's e-mail)."""
    if incoming.contact is not None:
        return incoming.contact
    if not incoming.identity_proven:
        return None
    email = incoming.email.strip().lower()
    digits = phone_digits(incoming.phone)
    condition = Q(pk__in=[])
    if email:
        condition |= Q(email=email)
    if len(digits) >= 5:
        condition |= Q(phone_digits=digits)
    return Contact.objects.filter(condition, provisional=False).order_by("pk").first()


def contact_for(incoming: IncomingComplaint) -> Contact | None:
    """The known contact with this e-mail or phone, or a new one; None when nothing identifies them.

    A public submission always gets a new, provisional contact: the known customers it may be are
    shown on its card as suggestions (pages.py) until an operator links one or the customer proves
    the address (contact_email_proven). A known customer is found without a transaction; the
    search is repeated inside one before a new contact is made, so that two first messages make one."""
    existing = contact_find(incoming)
    if existing is not None:
        return existing
    email = incoming.email.strip().lower()
    name = incoming.name.strip() or email or incoming.phone.strip()
    if not name:
        return None
    with transaction.atomic():
        return contact_find(incoming) or contact_create(
            full_name=name[:300], email=email, phone=incoming.phone.strip()[:50],
            organisation_name=incoming.organisation, provisional=not incoming.identity_proven,
        )


def same_customer_suggestions(complaint: Complaint) -> list[Contact]:
    """The known customers a card's provisional contact may be (same e-mail or phone); [] otherwise."""
    contact = complaint.contact
    if contact is None or not contact.provisional:
        return []
    return contact_known_matches(contact)


def _contact_replace(complaint: Complaint, known: Contact, actor: User | None) -> Complaint:
    provisional = complaint.contact
    complaint = complaint_contact_set(complaint=complaint, contact=known, actor=actor)
    if provisional is not None:
        contact_forget_if_unused(contact=provisional)
    return complaint


@transaction.atomic
def complaint_same_customer(*, complaint: Complaint, contact: Contact, actor: User) -> Complaint:
    """An operator confirms that a public submission's customer is this known one: the card moves
    to the known contact (on the timeline as a change of contact person)."""
    access_edit_complaint(actor, complaint)
    if contact not in same_customer_suggestions(complaint):
        raise ValidationError(_("This contact is not one the card's customer may be."))
    return _contact_replace(complaint, contact, actor)


def email_proof_valid(complaint: Complaint, proof: str) -> bool:
    """The proof is the one mailed to the card's provisional contact (contact_email_proven)."""
    contact = complaint.contact
    if contact is None or not contact.provisional or not contact.email:
        return False
    return constant_time_compare(proof, email_proof(complaint, contact.email))


@transaction.atomic
def contact_email_proven(*, complaint: Complaint, proof: str) -> bool:
    """The customer, from the link mailed to the card's provisional contact, confirms they sent it:
    the address is theirs, so the card moves to the known customer of that e-mail, or, with none,
    the contact becomes known. True if the proof was good."""
    if not email_proof_valid(complaint, proof):
        return False
    contact = complaint.contact
    assert contact is not None  # email_proof_valid: a provisional contact with an e-mail
    known = Contact.objects.filter(email=contact.email, provisional=False).order_by("pk").first()
    if known is None:
        contact_mark_known(contact=contact)
        return True
    _contact_replace(complaint, known, None)
    return True
