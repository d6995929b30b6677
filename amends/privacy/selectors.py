"""Who a person is in the data: their contact rows, and the cards they filed."""

from django.db.models import Q, QuerySet

from amends.complaints.models import Complaint
from amends.customers.models import Contact


def person_contacts(contact: Contact) -> QuerySet[Contact]:
    """The contact and every other contact row with its e-mail or phone: channels create a new
    row when a customer writes from another address, so one person may have several."""
    match = Q(pk=contact.pk)
    if contact.email:
        match |= Q(email__iexact=contact.email)
    if contact.phone_digits:
        match |= Q(phone_digits=contact.phone_digits)
    return Contact.objects.filter(match).select_related("organisation").order_by("pk")


def person_contacts_confirmed(contact: Contact) -> QuerySet[Contact]:
    """The person's rows that an export hands over: a provisional row's e-mail or phone is what anyone
    could type into a public form, so it and its cards may be a stranger's until confirmed."""
    return person_contacts(contact).filter(provisional=False)


def person_complaints(contacts: list[Contact]) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(contact__in=contacts)
        .select_related("organisation", "contact", "category", "category__parent", "cause", "product")
        .order_by("received_at", "pk")
    )
