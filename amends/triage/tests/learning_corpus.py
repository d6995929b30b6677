"""Closed, classified cards in bulk for the model tests: copies of one registered card with texts made
from each category's own words, in Russian and English, received a day apart."""

import copy
import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from amends.complaints.choices import Channel, State
from amends.complaints.models import Category, Complaint, new_tracking_code
from amends.complaints.services import complaint_register

WORDS = {
    "Delivery": ["курьер опоздал", "доставка задержалась", "посылка не пришла", "courier was late",
                 "parcel never arrived", "delivery delayed"],
    "Quality": ["товар сломался", "брак корпуса", "трещина на экране", "device broke", "cracked screen",
                "faulty part"],
    "Staff": ["грубый продавец", "менеджер нахамил", "сотрудник не помог", "rude cashier", "manager was impolite",
              "staff ignored me"],
}
FILLER = ["вчера", "снова", "пожалуйста", "разберитесь", "today", "again", "please", "sort it out", "заказ",
          "order", "магазин", "shop"]


def text_of(category: str, rng: random.Random) -> str:
    words = rng.sample(WORDS[category], 2) + rng.sample(FILLER, 3)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def categories() -> dict[str, Category]:
    return {name: Category.objects.get_or_create(name=name, parent=None)[0] for name in WORDS}


def unsaved_cards(operator, count: int, *, start_days_ago: int | None = None) -> list[Complaint]:
    """`count` unsaved copies of one registered card under new numbers, one a day up to today."""
    source = complaint_register(actor=operator, channel=Channel.EMAIL, wording="Образец обращения.")
    start = Complaint.objects.aggregate(last=Max("pk"))["last"]
    first = timezone.now() - timedelta(days=start_days_ago if start_days_ago is not None else count)
    cards = []
    for i in range(count):
        card = copy.copy(source)
        card.pk = card.id = None
        card._state = copy.copy(source._state)
        card._state.adding = True
        card.number = f"L-{start + i + 1:07d}"
        card.tracking_code = new_tracking_code()
        card.received_at = first + timedelta(days=i)
        cards.append(card)
    return cards


def closed_cards(operator, count: int, *, seed: int = 1, start_days_ago: int | None = None,
                 label=None) -> list[Complaint]:
    """`count` closed cards, the oldest first, one a day up to today; `label(i, name)` may change the
    category a card gets (the text keeps the true one's words)."""
    rng = random.Random(seed)
    kinds = categories()
    cards = unsaved_cards(operator, count, start_days_ago=start_days_ago)
    for i, card in enumerate(cards):
        name = list(WORDS)[i % len(WORDS)]
        card.wording = text_of(name, rng)
        card.category = kinds[label(i, name) if label else name]
        card.state = State.CLOSED
        card.closed_at = card.received_at
    return Complaint.objects.bulk_create(cards)
