"""The list sorted by state or importance is read a value at a time (list_page.BoundedPaginator): every
page holds the cards the whole sort would put there, in either direction, with filters, past the limit."""

import pytest
from django.urls import reverse

from amends.complaints import views
from amends.complaints.choices import Channel, Importance, State
from amends.complaints.models import Complaint

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:list")
STATES = [State.REGISTERED, State.CLOSED, State.ASSIGNED, State.REGISTERED, State.CLOSED, State.CLOSED, State.DECIDED]
IMPORTANCES = [Importance.HIGH, Importance.LOW, Importance.CRITICAL, Importance.LOW, Importance.MEDIUM,
               Importance.HIGH, Importance.LOW]


@pytest.fixture
def cards(register):
    made = []
    for n, (state, importance) in enumerate(zip(STATES, IMPORTANCES, strict=True)):
        card = register(channel=Channel.PHONE if n % 3 else Channel.EMAIL, importance=importance)
        Complaint.objects.filter(pk=card.pk).update(state=state)  # the states without walking each card there
        made.append(Complaint.objects.get(pk=card.pk))
    return made


def expected(cards, column: str, values: list[str], descending: bool) -> list[str]:
    """The whole sort: the value's rank, then the newest first."""
    rank = {value: place for place, value in enumerate(values)}
    newest = sorted(cards, key=lambda c: (c.received_at, c.pk), reverse=True)
    ordered = sorted(newest, key=lambda c: rank[getattr(c, column)], reverse=descending)
    return [c.number for c in ordered]


def listed(client, query: dict, pages: int) -> list[str]:
    numbers = []
    for page in range(1, pages + 1):
        response = client.get(LIST, {**query, "page": page})
        numbers += [c.number for c in response.context["page"].object_list]
    return numbers


@pytest.mark.parametrize("sort", ["state", "-state", "importance", "-importance"])
def test_each_page_holds_what_the_whole_sort_puts_there(client, qms, cards, monkeypatch, sort):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(qms)
    column = sort.lstrip("-")
    values = State.values if column == "state" else Importance.values
    assert listed(client, {"sort": sort, "set_aside": "on"}, pages=4) == expected(
        cards, column, values, sort.startswith("-"))


def test_a_filtered_ranked_sort_lists_the_filtered_cards_only(client, qms, cards, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(qms)
    phoned = [c for c in cards if c.channel == Channel.PHONE]
    assert listed(client, {"sort": "-importance", "channel": Channel.PHONE, "set_aside": "on"}, pages=2) == expected(
        phoned, "importance", Importance.values, descending=True)


def test_a_ranked_sort_past_the_limit_stops_where_the_count_does(client, qms, cards, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_LIMIT", 5)
    client.force_login(qms)
    whole = expected(cards, "state", State.values, descending=False)
    assert listed(client, {"sort": "state", "set_aside": "on"}, pages=3) == whole[:5]
