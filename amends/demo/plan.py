"""Which complaints the demo has: who complains, through which channel, about what, in which words,
and how far each card has got. Only plans: nothing here touches the database."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import TypeVar

from django.utils import timezone

from amends.complaints.choices import CauseKind, Channel, Importance, Justification, State
from amends.customers.models import Component, Product

from .company import Customer
from .texts import (
    CATEGORY_WEIGHTS,
    EMOTIONS,
    EMOTIONS_B2B,
    INTERNAL,
    INTERNAL_TAILS,
    KINDS,
    MESSENGERS,
    PHRASES,
    PRODUCTS,
    PROJECTS,
    SOCIAL_PLACES,
    STAFF_ROLES,
    UNJUSTIFIED,
    VERBS,
    Kind,
    Person,
    make_person,
    plural,
)

COMPLAINTS = 300
DUPLICATES = 12
WITHDRAWN = 10
HISTORY_DAYS = 545  # about 18 months
# Open cards, counted per state; the most recent complaints get the earliest stages.
OPEN_QUOTAS = [
    (State.REGISTERED, 8), (State.ASSIGNED, 8), (State.INVESTIGATING, 12), (State.DECIDED, 10),
    (State.MEASURES_PLANNED, 7), (State.IN_PROGRESS, 14), (State.RESOLVED, 6),
    (State.ANSWERED, 9),
]
CHANNEL_WEIGHTS = {
    Channel.PHONE: 25, Channel.EMAIL: 19, Channel.WEB_FORM: 12, Channel.MESSENGER: 10,
    Channel.SOCIAL: 8, Channel.IN_PERSON: 8, Channel.LETTER: 5, Channel.FAX: 3,
    Channel.INTERNAL: 10,
}
NON_ELECTRIC = {"KR-3", "GR-500"}  # a filter and a radiator: no boards, no error codes
DATE = PHRASES["date_format"]
K = TypeVar("K")


@dataclass
class Spec:
    received_at: datetime
    channel: str
    category: str
    customer: Customer
    department: str
    registrar: str = "operator"
    target: str = State.CLOSED
    justification: str = Justification.JUSTIFIED
    cause: str = CauseKind.OTHER
    importance: str = Importance.MEDIUM
    causes: dict[str, int] = field(default_factory=dict)
    finding: tuple[str, str] = ("", "")  # why it is unjustified, and the document
    duplicate_of: Spec | None = None
    return_plan: bool = False
    reopen: bool = False
    product: Product | None = None
    component: Component | None = None
    employee: tuple[Person, str] | None = None
    order_reference: str = ""
    project: str = ""
    wording: str = ""
    number: str = ""


def weighted(rng: random.Random, weights: Mapping[K, float]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _received_at(rng: random.Random, now: datetime, channel: str) -> datetime:
    today = timezone.localdate(now)
    days_ago = rng.uniform(0, 35) if rng.random() < 0.22 else rng.uniform(0, HISTORY_DAYS)
    day = today - timedelta(days=int(days_ago))
    if channel in (Channel.LETTER, Channel.FAX, Channel.IN_PERSON, Channel.INTERNAL):
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        hour = rng.randint(9, 17)
    elif channel == Channel.PHONE:
        hour = rng.randint(8, 20)
    else:
        hour = rng.choice(list(range(7, 24)) + list(range(9, 19)))
    moment = timezone.make_aware(datetime.combine(day, dtime(hour, rng.randrange(60))))
    while moment > now - timedelta(minutes=40):
        moment -= timedelta(days=1)
    return moment


def _fill(rng: random.Random, template: str, spec: Spec, customer_name: str = "") -> str:
    person, _role = spec.employee or (make_person(rng), "")
    product = spec.product.name if spec.product else PRODUCTS[0][0]  # a card without a product: the best seller
    days = rng.randint(3, 20)
    values = {
        "product": product[0].lower() + product[1:],
        "order": PHRASES["order"].format(year=rng.randint(24, 26), number=rng.randrange(10 ** 5)),
        "invoice": PHRASES["invoice"].format(number=rng.randint(100, 9999)),
        "ndays": plural(days, PHRASES["days"]),
        "nweeks": plural(rng.randint(2, 6), PHRASES["weeks"]),
        "nlong": plural(rng.randint(21, 45), PHRASES["days"]),
        "minutes": rng.randint(25, 70), "code": rng.randint(1, 12),
        "amount": f"{rng.randint(2, 95) * 500:,}".replace(",", " "),
        "date": (timezone.localtime(spec.received_at).date() - timedelta(days=days)).strftime(DATE),
        "employee": person.first_last, "customer": customer_name,
    }
    for key, (male, female) in VERBS.items():
        values[f"e_{key}"] = female if person.female else male
    text = template.lstrip("⚡").format(**values)
    return text[0].upper() + text[1:]


def _fact(rng: random.Random, kind: Kind, spec: Spec) -> str:
    facts = list(kind.facts)
    if spec.product is not None and spec.product.code in NON_ELECTRIC:
        facts = [f for f in facts if not f.startswith("⚡")] or facts
    return _fill(rng, rng.choice(facts), spec)


def _wording(rng: random.Random, spec: Spec, internal_text: str | None) -> str:
    customer = spec.customer
    if internal_text is not None:
        return f"{internal_text} {rng.choice(INTERNAL_TAILS)}"
    kind = KINDS[spec.category]
    fact = _fact(rng, kind, spec)
    emotion = rng.choice(EMOTIONS_B2B if customer.organisation and rng.random() < 0.5
                         else EMOTIONS)
    demand = rng.choice(kind.demands)
    body = f"{fact} {emotion} {demand}"
    if spec.duplicate_of is not None:
        body = PHRASES["repeat"].format(body=body)
    name = customer.person.full_name if customer.person else ""
    org = customer.organisation.name if customer.organisation else ""
    values = {"body": body, "fact": fact, "demand": demand, "name": name, "category": spec.category}
    match spec.channel:
        case Channel.EMAIL:
            values["sign"] = f"{name}\n{org}" if org else name
        case Channel.LETTER:
            values["outgoing"] = PHRASES["outgoing"].format(
                number=rng.randint(10, 999), date=timezone.localtime(spec.received_at).strftime(DATE),
            ) if org else ""
        case Channel.FAX:
            values["sender"] = org or name
        case Channel.SOCIAL:
            values["place"] = rng.choice(SOCIAL_PLACES)
        case Channel.MESSENGER:
            values["messenger"] = rng.choice(MESSENGERS)
    template = PHRASES["channels"].get(spec.channel)
    return template.format(**values) if template else body


def _set_justification(rng: random.Random, spec: Spec, justification: str,
                       components: dict[int, list[tuple[Component, int]]]) -> None:
    """An unjustified complaint is the customer's error; a justified one has a real cause."""
    spec.justification = justification
    if justification == Justification.UNJUSTIFIED:
        internal = spec.channel == Channel.INTERNAL
        spec.cause = CauseKind.OTHER if internal else CauseKind.CUSTOMER
        finding, document = rng.choice(UNJUSTIFIED["internal" if internal else spec.category])
        spec.finding = (finding, document)
    else:
        causes = {k: w for k, w in spec.causes.items() if k != CauseKind.CUSTOMER}
        spec.cause = weighted(rng, causes)
    spec.component = None
    if spec.cause == CauseKind.SUPPLIER and spec.product is not None:
        parts = components[spec.product.pk]
        spec.component = rng.choices([c for c, _ in parts], weights=[w for _, w in parts])[0]


def _new_spec(rng: random.Random, now: datetime, customers: list[Customer], products: list[Product],
              components: dict[int, list[tuple[Component, int]]], channel: str | None = None,
              category: str | None = None) -> Spec:
    channel = channel or weighted(rng, CHANNEL_WEIGHTS)
    internal_text: str | None = None
    if channel == Channel.INTERNAL:
        category, department, internal_text, causes = rng.choice(INTERNAL)
        customer = rng.choice([c for c in customers if c.organisation] + [Customer(None, None,
                                                                                    None)] * 6)
        registrar = rng.choice(["qms", "operator", "operator2"])
    else:
        category = category or weighted(rng, CATEGORY_WEIGHTS)
        department = rng.choice(KINDS[category].departments)
        customer = rng.choice(customers)
        if channel == Channel.FAX and customer.organisation is None:
            customer = rng.choice([c for c in customers if c.organisation])
        registrar = rng.choice(["operator"] * 3 + ["operator2"] * 2 + ["qms"])
        causes = KINDS[category].causes
    kind = KINDS[category]
    spec = Spec(
        received_at=_received_at(rng, now, channel), channel=channel, category=category,
        customer=customer, department=department, registrar=registrar, causes=causes,
    )
    if kind.product or internal_text or rng.random() < 0.3:
        spec.product = rng.choice(products)
        spec.order_reference = PHRASES["order"].format(
            year=f"{spec.received_at:%y}", number=rng.randrange(10 ** 5),
        )
    if customer.organisation is not None and rng.random() < 0.25:
        spec.project = rng.choice(PROJECTS)
    justification = weighted(rng, {Justification.JUSTIFIED: 6, Justification.PARTLY: 2,
                                    Justification.UNJUSTIFIED: 2})
    _set_justification(rng, spec, justification, components)
    if kind.staff or spec.cause == CauseKind.STAFF or internal_text:
        spec.employee = (make_person(rng), STAFF_ROLES[department])
    spec.importance = weighted(rng, {
        Importance.LOW: 20, Importance.MEDIUM: 45, Importance.HIGH: 25,
        Importance.CRITICAL: 10 if kind.group in ("defect", "delivery", "deadline") else 3,
    })
    if internal_text is not None:
        org = customer.organisation.name if customer.organisation else PHRASES["private_customer"]
        internal_text = _fill(rng, internal_text, spec, customer_name=org)
    spec.wording = _wording(rng, spec, internal_text)
    return spec


def plan_complaints(rng: random.Random, now: datetime, customers: list[Customer], products: list[Product],
                    components: dict[int, list[tuple[Component, int]]]) -> list[Spec]:
    """The demo's complaints, oldest first, each with the state its card is to reach."""
    base = COMPLAINTS - DUPLICATES
    specs = [_new_spec(rng, now, customers, products, components) for _ in range(base)]
    # Make sure every leaf category and every channel is there at least twice.
    for i, category in enumerate(CATEGORY_WEIGHTS):
        specs[i * 2] = _new_spec(rng, now, customers, products, components,
                                 channel=rng.choice([Channel.PHONE, Channel.EMAIL]),
                                 category=category)
    for i, channel in enumerate(CHANNEL_WEIGHTS):
        specs[40 + i * 2] = _new_spec(rng, now, customers, products, components, channel=channel)
    specs.sort(key=lambda s: s.received_at, reverse=True)

    withdrawn = set(rng.sample(range(6, base), WITHDRAWN))
    queue = [state for state, count in OPEN_QUOTAS for _ in range(count)]
    for i, spec in enumerate(specs):
        if i in withdrawn:
            spec.target = State.WITHDRAWN
        elif queue and (i < 20 or rng.random() < 0.85):
            # Earliest stages for the newest cards, with a little shuffle.
            pick = min(len(queue) - 1, int(abs(rng.gauss(0, 2))))
            spec.target = queue.pop(pick)
        else:
            spec.target = State.CLOSED
    for spec in specs:
        # These stages exist only for a (partly) justified complaint.
        if spec.target in (State.MEASURES_PLANNED, State.IN_PROGRESS, State.RESOLVED) \
                and spec.justification == Justification.UNJUSTIFIED:
            _set_justification(rng, spec, Justification.PARTLY, components)
    closed_justified = [s for s in specs if s.target == State.CLOSED
                        and s.justification != Justification.UNJUSTIFIED]
    for spec in rng.sample(closed_justified, 6):
        spec.return_plan = True
    for spec in rng.sample(closed_justified, 4):
        spec.reopen = True
    for spec in rng.sample([s for s in specs if s.target == State.IN_PROGRESS], 2):
        if spec.justification != Justification.UNJUSTIFIED:
            spec.return_plan = True

    # Duplicates: the same customer writing again through another channel.
    originals = [s for s in specs if s.target not in (State.WITHDRAWN,)
                 and s.channel != Channel.INTERNAL and s.customer.contact is not None
                 and s.received_at < now - timedelta(days=4)]
    for original in rng.sample(originals, DUPLICATES):
        channel = rng.choice([c for c in CHANNEL_WEIGHTS
                              if c not in (original.channel, Channel.INTERNAL)])
        duplicate = Spec(
            received_at=original.received_at + timedelta(hours=rng.uniform(2, 72)),
            channel=channel, category=original.category, customer=original.customer,
            department=original.department, registrar=rng.choice(["operator", "operator2"]),
            target=State.DUPLICATE, importance=original.importance, duplicate_of=original,
            product=original.product, employee=original.employee,
        )
        duplicate.wording = _wording(rng, duplicate, None)
        specs.append(duplicate)
    specs.sort(key=lambda s: s.received_at)
    return specs


