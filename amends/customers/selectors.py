import re

from django.db.models import Q

from amends.search.engine import documents_matching
from amends.search.indexes import CONTACTS
from amends.search.text import words

from .models import Contact, phone_digits

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def phone_matches(query: str, *, field: str = "phone_digits", min_digits: int = 3) -> Q | None:
    """A condition on a stored phone for a number typed in any format, perhaps only its start."""
    digits = phone_digits(query)
    if len(digits) < min_digits:
        return None
    condition = Q(**{f"{field}__contains": digits})
    if digits.startswith("8") and len(digits) < 11:
        # A number still being typed with the trunk prefix 8, stored from 7.
        condition |= Q(**{f"{field}__startswith": "7" + digits[1:]})
    return condition


def contact_search(query: str, *, limit: int = 10) -> list[Contact]:
    """Contacts matching a phone, an e-mail or words of a name or organisation, as typed (the last
    word may be cut short): the exact e-mail and the phone matches first, then the full-text index's
    matches by rank."""
    # No stored text holds a NUL, and PostgreSQL refuses a query that does.
    query = query.strip()
    if len(query) < 2 or "\x00" in query:
        return []
    condition = Q(email=query.lower()) if "@" in query else Q(pk__in=[])
    # The digits of an e-mail are no phone number (and would read through every stored phone).
    if "@" not in query and (phone := phone_matches(query)) is not None:
        condition |= phone
    found = list(
        Contact.objects.filter(condition, erased_at__isnull=True).order_by("-pk").values_list("pk", flat=True)[:limit]
    )
    # An e-mail found names its contact: its words ("mail", "example") are in too many documents to
    # add anything but time.
    if len(found) < limit and not (found and EMAIL.fullmatch(query)):
        seen = set(found)
        typed = words(query)
        # A start of three letters at least: shorter ones, or digits (the phones above), match too many.
        as_typed = bool(typed) and len(typed[-1]) >= 3 and not typed[-1].isdigit()
        ranked = documents_matching(CONTACTS, query, limit=limit + len(found), as_typed=as_typed)
        found += [pk for pk in ranked if pk not in seen]
    found = found[:limit]
    contacts = Contact.objects.select_related("organisation").in_bulk(found)
    return [contacts[pk] for pk in found if pk in contacts]


def contact_known_matches(contact: Contact, *, limit: int = 5) -> list[Contact]:
    """Known (not provisional) contacts with the same e-mail or phone as this one: who a public
    submission's customer may be, to be confirmed by a person, never assumed."""
    condition = Q(pk__in=[])
    if contact.email:
        condition |= Q(email=contact.email)
    if len(contact.phone_digits) >= 5:
        condition |= Q(phone_digits=contact.phone_digits)
    return list(
        Contact.objects.filter(condition, provisional=False).exclude(pk=contact.pk)
        .select_related("organisation").order_by("pk")[:limit]
    )


def contacts_known_by(phone_or_email: str, *, limit: int = 5) -> list[Contact]:
    """Known contacts whose e-mail or whole phone number is exactly this: whom a person names when
    they move a card to another customer."""
    value = phone_or_email.strip()
    if "@" in value:
        condition = Q(email=value.lower())
    elif len(digits := phone_digits(value)) >= 5:
        condition = Q(phone_digits=digits)
    else:
        return []
    known = Contact.objects.filter(condition, provisional=False).select_related("organisation")
    return list(known.order_by("pk")[:limit])
