"""The complaint list open to other apps (amends/complaints/list_page.py)."""

import copy

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.db.models import F
from django.db.models.functions import Length
from django.urls import reverse

from amends.complaints import list_page
from amends.complaints.choices import Channel
from amends.complaints.selectors import ComplaintFilter, complaint_list
from amends.complaints.services import complaint_register


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def wording_length(settings, tmp_path):
    """A pretend app's column, filter and sort on the length of the customer's wording."""
    (tmp_path / "length_cell.html").write_text("<b>{{ c.wording_length }}</b>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    registries = (list_page.ANNOTATIONS, list_page.FILTERS, list_page.SORTS, list_page.COLUMNS)
    saved = [dict(registry) for registry in registries]
    list_page.register_list_annotation("length", lambda qs: qs.annotate(wording_length=Length("wording")))
    list_page.register_list_filter(
        "longer_than", field=lambda: forms.IntegerField(label="Longer than", required=False),
        apply=lambda qs, value: qs.filter(wording_length__gt=value),
    )
    list_page.register_list_sort("length", F("wording_length").asc(), F("wording_length").desc())
    list_page.register_list_column("length", "Length", "length_cell.html", sort="length")
    yield
    for registry, before in zip(registries, saved, strict=True):
        registry.clear()
        registry.update(before)


@pytest.fixture
def cards(operator, contact):
    return [
        complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=wording)
        for wording in ("Коротко", "Очень длинная жалоба на доставку", "Средняя жалоба")
    ]


def rows(response) -> list[tuple[str, str]]:
    page = BeautifulSoup(response.content, "html.parser")
    return [(tr.select_one("td.number").get_text(), tr.select_one("td.length").get_text())
            for tr in page.select("table.complaints tbody tr")]


def test_a_registered_column_filter_and_sort_apply_to_the_list(client, qms, cards, wording_length):
    client.force_login(qms)
    short, long, middle = (c.number for c in cards)
    response = client.get(reverse("complaints:list"), {"sort": "length"})
    assert rows(response) == [(short, "7"), (middle, "14"), (long, "32")]
    page = BeautifulSoup(response.content, "html.parser")
    header = page.select("table.complaints thead th")[-1]
    assert header.get_text() == "Length" and header.a["href"].endswith("&sort=-length")
    assert page.select_one("label[for=id_longer_than]").get_text() == "Longer than"
    assert page.select_one("details.more-filters").has_attr("open") is False

    response = client.get(reverse("complaints:list"), {"longer_than": "10", "sort": "-length"})
    assert rows(response) == [(long, "32"), (middle, "14")]
    # The selector the API shares takes the same filter by name.
    assert [c.number for c in complaint_list(qms, ComplaintFilter(extra={"longer_than": 10}, sort="length"))] == [
        middle, long,
    ]


def test_the_deadlines_column_filter_and_sort_are_registered():
    assert list_page.COLUMNS["due"].template == "deadlines/due_cell.html"
    assert "deadline" in list_page.FILTERS and {"due", "-due"} <= set(list_page.SORTS)
