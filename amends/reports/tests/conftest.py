"""A week of real cards for the summary: registered, answered, decided and measured through the
services at frozen times, with the clocks the deadlines app starts by itself."""

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from amends.complaints.choices import Channel, State
from amends.complaints.models import Category, Complaint
from amends.complaints.services import (
    complaint_add_message,
    complaint_transition,
    measure_add,
    measure_report,
)
from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures
from amends.deadlines.services import waiting_start
from amends.deadlines.tests.conftest import (  # noqa: F401 - shared fixtures
    MSK,
    _english,
    _no_automatic_duplicate_links,
    frozen,
    msk,
)

WEEK = date(2025, 3, 10)  # Monday of 2025-W11
NOW = datetime(2025, 3, 17, 8, 0, tzinfo=MSK)  # the Monday after, when the summary is sent


@pytest.fixture
def categories(db) -> dict[str, Category]:
    delivery = Category.objects.create(name="Доставка", name_en="Delivery")
    return {
        "delivery": delivery,
        "late": Category.objects.create(name="Опоздание", name_en="Late delivery", parent=delivery),
        "billing": Category.objects.create(name="Счета", name_en="Billing"),
    }


@dataclass
class Week:
    """The cards of 2025-W11 (10–16 March) and around it, by letter."""

    cards: dict[str, Complaint]

    def __getattr__(self, letter: str) -> Complaint:
        return self.cards[letter]


@pytest.fixture
def week(frozen, register, walk, categories, qms, responsible, executor) -> Week:  # noqa: F811
    """What happened, in order (Moscow time; e-mail first response 24 h, decision 1 day):

    D  letter, received the week before (Fri 7 10:00): answered Mon 10 09:00, late; no decision.
    A  e-mail, Late delivery: answered Mon 12:00 and decided Tue 09:00, both on time; measures
       due Wed 12 (reported Thu, late) and Fri 14 (reported Fri 17:00, on time).
    I  e-mail: waits for the customer from Mon 12:00, so its clocks are paused, not late.
    B  e-mail, Delivery, Tue 09:00: answered Thu 10:00, late; no decision, not assigned.
    C  phone, Wed 15:00: registering the call answered it; decided Fri 10:00, late; a measure
       due Sat 15 never reported.
    G  e-mail, Wed: a duplicate of A, left out of the statistics.
    H  fax, Wed: withdrawn.
    E  e-mail, Billing, Sun 16 23:30: the last minutes of the week; nothing due yet.
    F  e-mail, Mon 17 00:30: the next week.
    """
    cards = {}
    frozen(msk(2025, 3, 7, 10))
    cards["D"] = register(channel=Channel.LETTER)
    frozen(msk(2025, 3, 10, 9))
    complaint_add_message(complaint=cards["D"], incoming=False, text="Получили ваше письмо.")
    frozen(msk(2025, 3, 10, 10))
    cards["A"] = register(channel=Channel.EMAIL, category=categories["late"])
    frozen(msk(2025, 3, 10, 11))
    cards["I"] = register(channel=Channel.EMAIL)
    frozen(msk(2025, 3, 10, 12))
    complaint_add_message(complaint=cards["A"], incoming=False, text="Разбираемся.")
    waiting_start(complaint=cards["I"], actor=qms, reason="Ждём фото дефекта.")
    frozen(msk(2025, 3, 11, 9))
    cards["B"] = register(channel=Channel.EMAIL, category=categories["delivery"])
    cards["A"] = walk(cards["A"], State.DECIDED)
    frozen(msk(2025, 3, 11, 9, 30))
    late_measure = measure_add(complaint=cards["A"], actor=responsible, description="Извиниться письменно",
                               executor=executor, due_date=date(2025, 3, 12))
    timely_measure = measure_add(complaint=cards["A"], actor=responsible, description="Заменить товар",
                                 executor=executor, due_date=date(2025, 3, 14))
    cards["A"] = walk(cards["A"], State.IN_PROGRESS)
    frozen(msk(2025, 3, 12, 15))
    cards["C"] = register(channel=Channel.PHONE)
    cards["G"] = complaint_transition(
        complaint=register(channel=Channel.EMAIL), name="mark_duplicate", actor=qms,
        data={"original_number": cards["A"].number},
    )
    cards["H"] = walk(register(channel=Channel.FAX), State.WITHDRAWN)
    frozen(msk(2025, 3, 13, 10))
    complaint_add_message(complaint=cards["B"], incoming=False, text="Разбираемся.")
    measure_report(measure=late_measure, actor=executor, report="Извинились.")
    frozen(msk(2025, 3, 14, 10))
    cards["C"] = walk(cards["C"], State.DECIDED)
    measure_add(complaint=cards["C"], actor=responsible, description="Вернуть деньги",
                executor=executor, due_date=date(2025, 3, 15))
    frozen(msk(2025, 3, 14, 17))
    measure_report(measure=timely_measure, actor=executor, report="Заменили.")
    frozen(msk(2025, 3, 16, 23, 30))
    cards["E"] = register(channel=Channel.EMAIL, category=categories["billing"])
    frozen(msk(2025, 3, 17, 0, 30))
    cards["F"] = register(channel=Channel.EMAIL)
    frozen(NOW)
    return Week(cards)
