"""The list sorted by the nearest due time, read off the ticking clocks' index page by page, holds
exactly the order the database gives when it computes every card's nearest due time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.list_page import BoundedPaginator
from amends.complaints.selectors import ComplaintFilter, complaint_list
from amends.complaints.services import complaint_register
from amends.deadlines.selectors import due_page_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(operator, contact):
    now = timezone.now()
    made = []
    for n in range(14):
        card = complaint_register(actor=operator, channel=Channel.EMAIL if n % 3 else Channel.PHONE,
                                  wording=f"Жалоба {n}", contact=contact)
        clocks = list(card.clocks.order_by("pk"))
        for k, clock in enumerate(clocks):
            # Ties between cards (n // 2), two clocks of a card apart, one card's clocks at the same time.
            clock.due_at = now + timedelta(hours=n // 2, minutes=0 if n == 5 else 10 * k)
        if n % 4 == 1:
            clocks[0].paused_at = now  # the card's nearest ticking clock is its second
        if n % 5 == 2:
            for clock in clocks:
                clock.met_at = now  # no ticking clock: after the others, either way
        for clock in clocks:
            clock.save()
        made.append(card)
    return made


@pytest.mark.parametrize("sort", ["due", "-due"])
@pytest.mark.parametrize("channel", ["", Channel.EMAIL])
def test_every_page_of_the_due_sort_matches_the_database_s_own_order(cards, qms, sort, channel):
    items = complaint_list(qms, ComplaintFilter(sort=sort, channel=channel))
    expected = list(items.values_list("pk", flat=True))
    assert len(expected) == (14 if not channel else 9)
    assert expected[-1] in {cards[n].pk for n in (2, 7, 12)}, "cards without a ticking clock come last"
    for size in (1, 3, 4, 25):
        for bottom in range(0, len(expected), size):
            top = min(bottom + size, len(expected))
            assert due_page_keys(items, sort.startswith("-"), ("-pk",), bottom, top) == expected[bottom:top]


def test_the_list_s_paginator_reads_the_due_sort_through_its_pager(cards, qms):
    items = complaint_list(qms, ComplaintFilter(sort="due"))
    expected = list(items.values_list("pk", flat=True))
    paginator = BoundedPaginator(items, 4, 10_000)
    pages = [[card.pk for card in paginator.page(n).object_list] for n in paginator.page_range]
    assert sum(pages, []) == expected
