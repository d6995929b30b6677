"""Nonconformities the worker proposes to the head of the QMS; each finding is proposed once (`key`)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from amends.complaints.models import Cause, Complaint
from amends.customers.models import Product, Supplier

from .models import Proposal


@transaction.atomic
def proposal_raise(
    *, kind: str, key: str, params: dict[str, Any], complaints: Iterable[Complaint] = (),
    supplier: Supplier | None = None, product: Product | None = None, cause: Cause | None = None,
) -> Proposal | None:
    """Propose a nonconformity for this finding unless it was proposed before; None then."""
    proposal, created = Proposal.objects.get_or_create(key=key, defaults={
        "kind": kind, "params": params, "supplier": supplier, "product": product, "cause": cause,
    })
    if not created:
        return None
    proposal.complaints.set(list(complaints))
    return proposal
