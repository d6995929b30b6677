"""The list and the card at any number of cards: the list counts up to a limit and pages as far, and
neither page asks the database more often when there are more cards, more filters matched or a
longer timeline (bench/million.py times them at a million cards)."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amends.complaints import events, views
from amends.complaints.choices import Channel
from amends.complaints.list_page import BoundedPaginator
from amends.complaints.models import Category, Measure
from amends.complaints.selectors import ComplaintFilter, complaint_list, complaint_list_short

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:list")


def queries(client, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured)


@pytest.fixture
def english(qms):
    qms.language = "en"
    qms.save()


@pytest.fixture
def limit(monkeypatch, english):
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)


def test_past_the_limit_the_list_says_more_than_it_counted_and_pages_as_far(client, qms, register, limit):
    numbers = [register().number for _ in range(5)]
    client.force_login(qms)
    first = client.get(LIST).content.decode()
    last = client.get(LIST, {"page": 2}).content.decode()
    beyond = client.get(LIST, {"page": 9}).content.decode()
    assert "More than 3 complaints" in first
    assert "The list stops here" not in first
    assert [number in first for number in reversed(numbers)] == [True, True, False, False, False]
    # The last page holds the third card counted; the fourth and fifth are past the limit.
    assert numbers[2] in last and numbers[1] not in last
    assert "The list stops here: narrow the filters or reverse the sort" in last
    assert "Page 2 of 2" in beyond and numbers[2] in beyond


def test_within_the_limit_the_list_counts_every_card(client, qms, register, limit):
    for _ in range(3):
        register()
    client.force_login(qms)
    page = client.get(LIST).content.decode()
    assert "3 complaints" in page
    assert "More than" not in page and "The list stops here" not in page


def test_a_filter_past_the_limit_counts_its_own_cards(client, qms, register, limit):
    for _ in range(4):
        register(channel=Channel.PHONE)
    register(channel=Channel.LETTER)
    client.force_login(qms)
    assert "1 complaint" in client.get(LIST, {"channel": Channel.LETTER}).content.decode()
    assert "More than 3 complaints" in client.get(LIST, {"channel": Channel.PHONE}).content.decode()


FILTERS = [
    {},
    {"state": "registered"},
    {"channel": Channel.EMAIL, "importance": "medium"},
    {"category": "top"},
    {"received_from": "2020-01-01", "received_to": "2099-12-31"},
    {"overdue": "on"},
    {"mine": "on"},
    {"deadline": "breached"},
    {"deadline": "at_risk"},
    {"sort": "due"},
    {"sort": "-state", "page": 2},
    {"q": "трещина"},
    {"q": "трещина", "sort": "-state"},
]


@pytest.mark.parametrize("query", FILTERS, ids=lambda query: "&".join(query) or "default")
def test_the_list_asks_as_often_with_more_cards_matching(client, qms, register, responsible, query):
    top = Category.objects.create(name="Доставка")
    late = Category.objects.create(name="Опоздание", parent=top)
    query = {**query, "category": top.pk} if "category" in query else query

    def cards(count: int) -> None:
        for n in range(count):
            card = register(actor=qms, category=late if n % 2 else top)
            # A measure gone past its due date (the service takes no date in the past).
            Measure.objects.create(complaint=card, description="Позвонить", executor=responsible,
                                   due_date=timezone.localdate() - timedelta(days=1))
        for clock in card.clocks.all():  # one card's clocks breached, none at risk: both filters list cards
            clock.due_at = clock.at_risk_at = timezone.now() - timedelta(hours=1)
            clock.save()

    client.force_login(qms)
    cards(3)
    few = queries(client, LIST, query)
    cards(30)
    # Never more often; the sort by due time may ask less once the ticking clocks fill the page.
    assert queries(client, LIST, query) <= few


def test_the_card_asks_as_often_with_a_longer_timeline_and_more_measures(client, qms, responsible, complaint):
    client.force_login(qms)
    url = reverse("complaints:detail", args=[complaint.number])
    short = queries(client, url)
    for n in range(20):
        events.event_note(complaint, qms, f"Заметка {n}")
    for n in range(5):
        Measure.objects.create(complaint=complaint, description=f"Мера {n}", executor=responsible,
                               due_date=timezone.localdate() + timedelta(days=n))
    assert queries(client, url) == short


def test_the_card_reads_its_measures_clocks_and_roles_once_for_every_panel(client, qms, responsible, complaint):
    for n in range(2):
        Measure.objects.create(complaint=complaint, description=f"Мера {n}", executor=responsible,
                               due_date=timezone.localdate() + timedelta(days=n))
    client.force_login(qms)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("complaints:detail", args=[complaint.number])).status_code == 200
    tables = Counter(re.search(r'FROM "(\w+)"', query["sql"]).group(1) for query in captured)
    # The deadlines and the compensation's penalty list the clocks and measures; the compensation's
    # limits go by the user's roles.
    assert (tables["deadlines_clock"], tables["auth_group"]) == (1, 1)
    # Once for the card's panel and capa's, with each measure's corrective action.
    assert tables["complaints_measure"] == 1
    # An open card has no sign-offs, nor responses whose K the surveys' threshold marks; the negative
    # flag's model is the one in use or else the last trained, asked once.
    assert (tables["complaints_signoff"], tables["surveys_surveypolicy"], tables["triage_triagemodel"]) == (0, 0, 1)


@pytest.mark.parametrize("sort", ["-received", "relevance", "-state"])
def test_a_search_reads_its_keys_once_for_its_count_and_its_pages(qms, register, sort):
    for n in range(5):
        register(wording=f"Трещина на корпусе, заказ {n}")
    register(wording="Не та модель")
    filters = ComplaintFilter(q="трещина", sort=sort)
    assert complaint_list_short(filters) and not complaint_list_short(ComplaintFilter(sort=sort))
    listed = complaint_list(qms, filters)
    for limit in (3, 10):  # past the count's limit, and within it
        full, short = BoundedPaginator(listed, 2, limit), BoundedPaginator(listed, 2, limit, short=True)
        with CaptureQueriesContext(connection) as captured:
            first = short.page(1)
        assert len(captured) == 2  # the keys, then the page's rows
        assert (short.count, short.more) == (full.count, full.more)
        assert [[c.pk for c in short.page(n)] for n in short.page_range] == [
            [c.pk for c in full.page(n)] for n in full.page_range]
        assert list(first) == list(full.page(1))
