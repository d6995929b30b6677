from django.db.models import Q, QuerySet

from .models import Contact, phone_digits


def contact_search(query: str, *, limit: int = 10) -> QuerySet[Contact]:
    """Contacts matching a phone, an e-mail or a part of a name or organisation, as typed."""
    query = query.strip()
    if len(query) < 2:
        return Contact.objects.none()
    condition = (
        Q(full_name__icontains=query)
        | Q(email__icontains=query.lower())
        | Q(organisation__name__icontains=query)
    )
    digits = phone_digits(query)
    if len(digits) >= 3:
        condition |= Q(phone_digits__contains=digits)
        if digits.startswith("8") and len(digits) < 11:
            # A number still being typed with the trunk prefix 8, stored from 7.
            condition |= Q(phone_digits__startswith="7" + digits[1:])
    return Contact.objects.filter(condition).select_related("organisation")[:limit]
