"""A cause growing quarter on quarter: counted complaints this quarter so far against the whole previous one."""

from datetime import datetime

import pytest
from django.utils import timezone

from amends.capa.choices import ProposalKind
from amends.capa.growth import cause_growth_check
from amends.capa.models import CapaSettings, Proposal
from amends.complaints.choices import Justification, State

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.get_default_timezone())  # 2026 Q4


def on(month: int, day: int = 10) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def cards(classified, supplier_cause):
    def make(count: int, month: int, **fields):
        return [classified(cause=supplier_cause, received_at=on(month), **fields) for _ in range(count)]

    return make


def test_a_cause_up_by_more_than_the_per_cent_is_proposed_once_per_quarter(cards, supplier_cause):
    cards(2, 8)  # Q3
    now = cards(3, 10) + cards(1, 11, justification=Justification.UNJUSTIFIED)  # justified or not, all count
    [proposal] = cause_growth_check(NOW)
    assert proposal.kind == ProposalKind.CAUSE_GROWTH and proposal.cause == supplier_cause
    assert proposal.key == f"growth:{supplier_cause.pk}:quarter:2026-10-01"
    assert proposal.params == {"count": 4, "previous": 2, "quarter": "2026 Q4", "previous_quarter": "2026 Q3",
                               "percent": 50}
    assert list(proposal.complaints.order_by("pk")) == now
    assert cause_growth_check(NOW) == []
    assert Proposal.objects.count() == 1


def test_exactly_the_per_cent_up_or_fewer_than_the_minimum_is_not_growth(cards):
    cards(2, 7)
    cards(3, 10)  # 3 against 2: 50 % up, not more
    assert cause_growth_check(NOW) == []
    CapaSettings.objects.update_or_create(pk=1, defaults={"growth_percent": 49, "growth_min_count": 4})
    assert cause_growth_check(NOW) == []  # more than 49 % up, but fewer than 4
    CapaSettings.objects.update_or_create(pk=1, defaults={"growth_percent": 49, "growth_min_count": 3})
    assert len(cause_growth_check(NOW)) == 1


def test_duplicates_withdrawn_cards_and_cards_of_later_days_do_not_count(cards):
    cards(2, 10)
    cards(1, 10, state=State.DUPLICATE)
    cards(1, 10, state=State.WITHDRAWN)
    cards(1, 12)  # after "now"
    assert cause_growth_check(NOW) == []  # 2 counted, a cause with none before needs the minimum 3
    cards(1, 11)
    [proposal] = cause_growth_check(NOW)
    assert (proposal.params["count"], proposal.params["previous"]) == (3, 0)


def test_each_quarter_is_a_new_finding_and_two_causes_are_two(cards, classified, supplier_cause, manufacturer_cause):
    cards(3, 8)
    for _ in range(3):
        classified(cause=manufacturer_cause, received_at=on(10))
    [q3] = cause_growth_check(on(9, 30))  # 3 in Q3 so far, none in Q2
    assert (q3.cause, q3.params["quarter"]) == (supplier_cause, "2026 Q3")
    [q4] = cause_growth_check(NOW)  # the supplier's cause fell to none; the manufacturer's grew
    assert (q4.cause, q4.params["quarter"]) == (manufacturer_cause, "2026 Q4")


def test_a_run_with_nothing_new_takes_a_fixed_number_of_queries(cards, classified, manufacturer_cause,
                                                                django_assert_max_num_queries):
    cards(3, 10)
    for _ in range(4):
        classified(cause=manufacturer_cause, received_at=on(11))
    assert len(cause_growth_check(NOW)) == 2
    with django_assert_max_num_queries(5):  # settings, the counts, the proposals known; the savepoint
        assert cause_growth_check(NOW) == []
