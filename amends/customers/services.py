from django.db import transaction
from django.db.models import ProtectedError

from .models import Contact, Organisation, phone_digits


@transaction.atomic
def contact_create(
    *, full_name: str, phone: str = "", email: str = "", address: str = "",
    position: str = "", organisation_name: str = "", organisation: Organisation | None = None,
    provisional: bool = False, fax: str = "",
) -> Contact:
    """Create a contact; an organisation named but not yet known is created with it, a known one is
    linked unless the contact is provisional."""
    contact = contact_build(
        full_name=full_name, phone=phone, email=email, address=address, position=position,
        organisation_name=organisation_name, organisation=organisation, provisional=provisional, fax=fax,
    )
    contact.save()
    return contact


def contact_build(
    *, full_name: str, phone: str = "", email: str = "", address: str = "",
    position: str = "", organisation_name: str = "", organisation: Organisation | None = None,
    provisional: bool = False, fax: str = "",
) -> Contact:
    """`contact_create` up to the save: the contact checked (the organisation it names is created now),
    for a caller that inserts many at once; call it inside the caller's transaction."""
    if organisation is None and organisation_name.strip():
        organisation = Organisation.objects.filter(name__iexact=organisation_name.strip()).first()
        if organisation is None:
            organisation = Organisation.objects.create(name=organisation_name.strip())
        elif provisional:
            # A name typed into a public form does not join a known organisation (its data, its
            # key-account terms); it stays in the stored submission, and "Same customer" links it.
            organisation = None
    contact = Contact(
        full_name=full_name.strip(), phone=phone.strip(), email=email.strip(), fax=fax.strip(),
        address=address.strip(), position=position.strip(), organisation=organisation,
        provisional=provisional,
    )
    contact.full_clean()
    contact.phone_digits = phone_digits(contact.phone)  # what save() sets, for a bulk insert
    return contact


@transaction.atomic
def contact_forget_if_unused(*, contact: Contact) -> bool:
    """Delete a provisional contact that no card refers to any more (its card was linked to the known
    customer); True if deleted. A known contact is never deleted here."""
    if not contact.provisional:
        return False
    try:
        deleted, _by_model = Contact.objects.filter(pk=contact.pk, provisional=True).delete()
    except ProtectedError:  # still some card's contact
        return False
    return bool(deleted)


def contact_mark_known(*, contact: Contact) -> None:
    """A provisional contact whose customer proved their address becomes a known one."""
    Contact.objects.filter(pk=contact.pk).update(provisional=False)
    contact.provisional = False
