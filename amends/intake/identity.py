"""Who sent a complaint: the known customer when the channel vouches for them, else a new, provisional
contact that an operator links to a known one ("same customer") or that the customer proves by the
link mailed to them. Anyone can type a customer's e-mail into a public form."""

from collections.abc import Sequence

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
from amends.customers.services import contact_build, contact_create, contact_forget_if_unused, contact_mark_known

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


def contacts_for(incomings: Sequence[IncomingComplaint]) -> list[Contact | None | ValidationError]:
    """`contact_for` of each submission of a batch, in order, with one read of the known contacts and
    one insert of the new ones; a submission whose contact cannot be made gets the error instead, to
    be registered alone. Call it inside the batch's transaction."""
    proven = [incoming for incoming in incomings if incoming.contact is None and incoming.identity_proven]
    emails = {incoming.email.strip().lower() for incoming in proven} - {""}
    digits = {found for incoming in proven if len(found := phone_digits(incoming.phone)) >= 5}
    # A key's known contact is its first (contact_find); contacts made in this batch come after all of them.
    known: dict[tuple[str, str], Contact] = {}
    made: dict[tuple[str, str], tuple[int, Contact]] = {}
    if emails or digits:
        matching = Contact.objects.filter(Q(email__in=emails) | Q(phone_digits__in=digits), provisional=False)
        for contact in matching.order_by("-pk"):
            known.update({("email", contact.email): contact, ("phone", contact.phone_digits): contact})
    results: list[Contact | None | ValidationError] = []
    new: list[Contact] = []
    for incoming in incomings:
        if incoming.contact is not None:
            results.append(incoming.contact)
            continue
        email, found_digits = incoming.email.strip().lower(), phone_digits(incoming.phone)
        keys = [("email", email)] if email else []
        if len(found_digits) >= 5:
            keys.append(("phone", found_digits))
        if incoming.identity_proven:
            earlier = [known[key] for key in keys if key in known]
            if earlier:
                results.append(min(earlier, key=lambda contact: contact.pk))
                continue
            fresh = [made[key] for key in keys if key in made]
            if fresh:
                results.append(min(fresh, key=lambda pair: pair[0])[1])
                continue
        name = incoming.name.strip() or email or incoming.phone.strip()
        if not name:
            results.append(None)
            continue
        try:
            contact = contact_build(
                full_name=name[:300], email=email, phone=incoming.phone.strip()[:50],
                organisation_name=incoming.organisation, provisional=not incoming.identity_proven,
            )
        except ValidationError as error:
            results.append(error)
            continue
        if incoming.identity_proven:
            for key in keys:
                made.setdefault(key, (len(new), contact))
        new.append(contact)
        results.append(contact)
    Contact.objects.bulk_create(new)
    return results


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
