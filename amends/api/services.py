"""The API's writes of its own: registration that also finds or creates the customer, and the purge
of expired Idempotency-Keys."""

from datetime import datetime

from amends.accounts.access import access_register_complaint
from amends.complaints.models import Category, Complaint
from amends.complaints.services import complaint_register
from amends.customers.models import Product
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import contact_for

from .idempotency import kept_since
from .models import IdempotencyKey


def complaint_register_from_api(
    *, actor, channel: str, text: str, customer: dict[str, str] | None = None,
    received_at: datetime | None = None, product: Product | None = None,
    category: Category | None = None, importance: str | None = None, order_reference: str = "",
    external_id: str = "",
) -> Complaint:
    """Register a complaint an API client sends; the customer is matched by e-mail or phone as for
    every other channel. Nothing is created when the actor may not register complaints. Each step
    takes its own short transaction: one held across them all would keep other writers waiting."""
    access_register_complaint(actor)
    contact = None
    if customer:
        contact = contact_for(IncomingComplaint(
            channel=channel, text=text, name=customer.get("name", ""),
            email=customer.get("email", ""), phone=customer.get("phone", ""),
            organisation=customer.get("organisation", ""),
        ))
    extra = {"importance": importance} if importance else {}
    return complaint_register(
        actor=actor, channel=channel, wording=text, received_at=received_at, contact=contact,
        product=product, category=category, order_reference=order_reference,
        external_id=external_id, **extra,
    )


def idempotency_purge(now: datetime | None = None) -> int:
    """Delete the Idempotency-Keys older than AMENDS_IDEMPOTENCY_KEEP_HOURS; the worker runs it hourly.
    Returns how many were deleted."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=kept_since(now)).delete()
    return deleted
