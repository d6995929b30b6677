"""The statutory penalty: 1 % of the price per day a consumer-law term was missed (DOMAIN.md §10)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from amends.answers.compensation import delay_days, goods_price_set, statutory_penalty
from amends.complaints.choices import EventKind, State
from amends.complaints.services import complaint_update
from amends.core.errors import ValidationError
from amends.deadlines.choices import ClockKind, Preset
from amends.deadlines.services import card_preset_choose
from amends.deadlines.tests.conftest import clocks_of, msk

PRESENTED = msk(2025, 3, 10, 15)  # a refund claim: answered by 20 March, 15:00


@pytest.fixture
def refund_claim(frozen, register, qms):
    frozen(msk(2025, 3, 12, 10))
    complaint = register()
    complaint = complaint_update(complaint=complaint, actor=qms, changes={"demand_presented_at": PRESENTED})
    card_preset_choose(complaint=complaint, actor=qms, preset=Preset.CONSUMER_REFUND)
    return complaint


def test_no_penalty_before_the_term(refund_claim, frozen):
    frozen(msk(2025, 3, 20, 14))
    assert statutory_penalty(refund_claim) is None


def test_each_day_begun_after_the_term_counts(refund_claim, frozen, qms):
    frozen(msk(2025, 3, 23, 16))  # 3 days and an hour late: the fourth day has begun
    penalty = statutory_penalty(refund_claim)
    assert penalty is not None and penalty.days == 4 and penalty.running
    assert (penalty.clock_kind, penalty.preset) == (ClockKind.ANSWER, Preset.CONSUMER_REFUND)
    assert penalty.price is None and penalty.amount is None  # asks for the price
    goods_price_set(complaint=refund_claim, actor=qms, price=Decimal("12345.60"))
    penalty = statutory_penalty(refund_claim)
    assert penalty.price == Decimal("12345.60")
    assert penalty.amount == Decimal("493.82")  # 12 345.60 × 1 % = 123.456 a day, × 4 = 493.824
    entry = refund_claim.events.filter(kind=EventKind.COMPENSATION).get()
    with translation.override("en"):
        assert entry.text_display == "Price of the goods for the statutory penalty: 12,345.60 RUB."


def test_the_delay_stops_when_the_answer_is_given(refund_claim, frozen, walk):
    frozen(msk(2025, 3, 22, 10))
    walk(refund_claim, State.ANSWERED)
    frozen(msk(2025, 4, 30, 10))
    penalty = statutory_penalty(refund_claim)
    assert clocks_of(refund_claim)[ClockKind.ANSWER].met_at == msk(2025, 3, 22, 10)
    assert (penalty.days, penalty.running) == (2, False)


def test_no_penalty_for_a_citizens_appeal_or_a_card_without_a_preset(frozen, register, qms):
    frozen(msk(2025, 3, 12, 10))
    appeal, plain = register(), register(wording="Другая жалоба про доставку.")
    card_preset_choose(complaint=appeal, actor=qms, preset=Preset.CITIZENS_APPEAL)
    frozen(msk(2025, 6, 1, 10))  # both far past their terms
    assert statutory_penalty(appeal) is None
    assert statutory_penalty(plain) is None


def test_a_price_must_be_positive(refund_claim, qms):
    with pytest.raises(ValidationError):
        goods_price_set(complaint=refund_claim, actor=qms, price=Decimal("0"))


@pytest.mark.parametrize(("late", "days"), [
    (timedelta(0), 0), (timedelta(seconds=1), 1), (timedelta(days=1), 1), (timedelta(days=1, seconds=1), 2),
])
def test_delay_days(late, days):
    assert delay_days(PRESENTED, PRESENTED + late) == days
