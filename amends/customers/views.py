from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

from amends.accounts.access import can_register_complaint
from amends.core.errors import AccessDenied

from .selectors import contact_search


@login_required
def contact_lookup(request):
    """As-you-type lookup for the registration screen."""
    if not can_register_complaint(request.user):
        raise AccessDenied
    contacts = contact_search(request.GET.get("q", ""))
    return JsonResponse({
        "results": [
            {
                "id": c.pk, "full_name": c.full_name, "phone": c.phone, "email": c.email,
                "organisation": c.organisation.name if c.organisation is not None else "",
                "label": str(c),
            }
            for c in contacts
        ]
    })
