"""The API's writes of its own: registration, which stores the complaint with its number and
leaves the card to the intake pipeline, and the purge of expired Idempotency-Keys."""

import json
from datetime import datetime

from amends.accounts.access import access_register_complaint
from amends.accounts.models import User
from amends.complaints.choices import RequestType
from amends.complaints.models import Category
from amends.customers.models import Product
from amends.intake.models import InboundMessage
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import inbound_store_numbered

from .idempotency import kept_since
from .models import IdempotencyKey

SOURCE = "api"
CUSTOMER_FIELDS = ("name", "email", "phone", "organisation")


def complaint_accept_from_api(
    *, actor: User, channel: str, text: str, customer: dict[str, str] | None = None,
    received_at: datetime | None = None, product: Product | None = None,
    category: Category | None = None, importance: str | None = None, order_reference: str = "",
    external_id: str = "", request_type: str = RequestType.COMPLAINT, claim_demand: str = "",
) -> InboundMessage:
    """Accept a complaint an API client sends: stored with its number and tracking code in one short
    transaction, then registered as a card by the worker (or by the first request for its number),
    with the customer matched by e-mail or phone as on every channel. Nothing is stored when the
    actor may not register complaints. Returns the stored submission."""
    access_register_complaint(actor)
    payload = {
        "channel": channel, "text": text,
        "customer": {name: (customer or {}).get(name, "") for name in CUSTOMER_FIELDS} if customer else None,
        "received_at": received_at.isoformat() if received_at else None,
        "product": product.pk if product else None, "category": category.pk if category else None,
        "importance": importance or "", "order_reference": order_reference, "external_id": external_id,
        "request_type": request_type, "claim_demand": claim_demand,
    }
    return inbound_store_numbered(
        channel=channel, source=SOURCE, raw=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        received_at=received_at, submitted_by=actor,
    )


def api_parse(message: InboundMessage) -> IncomingComplaint:
    """A stored API submission as an incoming complaint for its card."""
    data = json.loads(bytes(message.raw).decode("utf-8"))
    customer = data.get("customer") or {}

    def given(name: str) -> str:
        return str(customer.get(name) or "")

    return IncomingComplaint(
        channel=data["channel"], text=data["text"],
        name=given("name"), email=given("email"), phone=given("phone"), organisation=given("organisation"),
        received_at=datetime.fromisoformat(data["received_at"]) if data.get("received_at") else None,
        product=Product.objects.filter(pk=data["product"]).first() if data.get("product") else None,
        category=Category.objects.filter(pk=data["category"]).first() if data.get("category") else None,
        importance=data.get("importance") or "", order_reference=data.get("order_reference") or "",
        external_id=data.get("external_id") or "", registered_by=message.submitted_by, acknowledge=False,
        request_type=data.get("request_type") or RequestType.COMPLAINT, claim_demand=data.get("claim_demand") or "",
        identity_proven=True,
    )



def idempotency_purge(now: datetime | None = None) -> int:
    """Delete the Idempotency-Keys older than AMENDS_IDEMPOTENCY_KEEP_HOURS; the worker runs it hourly.
    Returns how many were deleted."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=kept_since(now)).delete()
    return deleted
