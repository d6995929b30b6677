from django.db import transaction

from .models import Contact, Organisation


@transaction.atomic
def contact_create(
    *, full_name: str, phone: str = "", email: str = "", address: str = "",
    position: str = "", organisation_name: str = "", organisation: Organisation | None = None,
) -> Contact:
    """Create a contact; an organisation named but not yet known is created with it."""
    if organisation is None and organisation_name.strip():
        organisation = Organisation.objects.filter(name__iexact=organisation_name.strip()).first()
        if organisation is None:
            organisation = Organisation.objects.create(name=organisation_name.strip())
    contact = Contact(
        full_name=full_name.strip(), phone=phone.strip(), email=email.strip(),
        address=address.strip(), position=position.strip(), organisation=organisation,
    )
    contact.full_clean()
    contact.save()
    return contact
