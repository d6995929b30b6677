"""The card page as a composition of registered panels (amends/complaints/card_page.py)."""

import copy

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from amends.complaints import events, selectors
from amends.complaints.card_page import card_render, register_panel, unregister_panel
from amends.complaints.models import Complaint, TimelineEvent


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def card_url(complaint) -> str:
    return reverse("complaints:detail", args=[complaint.number])


def sections(html: bytes, column: str) -> list[str]:
    """The ids (or first heading) of the sections of one column, top to bottom."""
    col = BeautifulSoup(html, "html.parser").select_one(f".card-layout > .{column}-col")
    return [s.get("id") or s.h2.get_text() for s in col.find_all("section", recursive=False)]


class GreetingForm(forms.Form):
    prefix = "greeting"
    text = forms.CharField()


@pytest.fixture
def test_panel(settings, tmp_path):
    """A panel of a pretend app: in the side column between the actions and the call."""
    (tmp_path / "test_panel.html").write_text(
        '<section class="card" id="test-panel"><p class="said">{{ said }} {{ complaint.number }}</p>'
        '<details{% if open_form == "greeting" %} open{% endif %}>{{ greeting_form.as_p }}</details></section>'
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    seen = []

    def context(request, complaint, bound):
        seen.append((request.user, complaint.pk))
        return {"said": f"Hello, {request.user.username}", "greeting_form": bound.get("greeting") or GreetingForm()}

    register_panel("test", "test_panel.html", column="side", order=35, context=context)
    yield seen
    unregister_panel("test")


def test_a_registered_panel_shows_on_the_card_in_its_column_and_order(client, qms, complaint, test_panel):
    client.force_login(qms)
    response = client.get(card_url(complaint))
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#test-panel .said").get_text() == f"Hello, qms {complaint.number}"
    assert sections(response.content, "side") == ["deadlines", "actions", "customer-message", "satisfaction-loyalty",
                                                   "test-panel", "call", "Timeline"]
    assert test_panel == [(qms, complaint.pk)]

    unregister_panel("test")
    assert b'id="test-panel"' not in client.get(card_url(complaint)).content


@translation.override("en")  # its messages are asserted in English
def test_a_bound_form_of_a_panel_is_shown_open_with_its_errors(qms, complaint, test_panel):
    request = RequestFactory().get("/")
    request.user = qms
    form = GreetingForm({"greeting-text": ""})
    assert not form.is_valid()
    response = card_render(request, complaint, 400, {"greeting": form})
    assert response.status_code == 400
    panel = BeautifulSoup(response.content, "html.parser").select_one("#test-panel")
    assert panel.details.has_attr("open") and "This field is required." in panel.get_text()


def test_the_card_shows_its_own_sections_and_the_panels_of_other_apps(client, qms, complaint):
    client.force_login(qms)
    response = client.get(card_url(complaint))
    # The duplicates panel shows only with candidates (see the duplicates tests).
    assert sections(response.content, "main") == [
        "Customer's wording", "triage", "triage-flags", "Card", "customer", "panel-compensation", "measures",
        "Attachments", "panel-nonconformities",
    ]
    assert sections(response.content, "side") == [
        "deadlines", "actions", "customer-message", "satisfaction-loyalty", "call", "Timeline",
    ]


def test_a_panel_goes_in_one_of_the_two_columns():
    with pytest.raises(ValueError):
        register_panel("nowhere", "x.html", column="footer")


def test_a_missing_card_hook_may_register_the_card_asked_for(client, qms, complaint, monkeypatch):
    asked = []

    def hook(number: str) -> bool:
        asked.append(number)
        if number != "2026-777777":
            return False
        Complaint.objects.filter(pk=complaint.pk).update(number=number)  # "registered" now
        return True

    monkeypatch.setattr(selectors, "MISSING_CARD_HOOKS", [hook])
    client.force_login(qms)
    assert client.get(reverse("complaints:detail", args=["2026-999999"])).status_code == 404
    response = client.get(reverse("complaints:detail", args=["2026-777777"]))
    assert response.status_code == 200 and response.context["complaint"].pk == complaint.pk
    assert asked == ["2026-999999", "2026-777777"]
    assert client.get(reverse("complaints:detail", args=["2026-777777"])).status_code == 200
    assert asked == ["2026-999999", "2026-777777"]  # an existing card asks no hook


FORMS = {
    "note": "complaints:note", "call": "complaints:log_call", "attach": "complaints:attach",
    "message": "intake:message_customer",
}


def write_forms(client, complaint) -> set[str]:
    """The write forms the card page offers this client, by what they post to."""
    soup = BeautifulSoup(client.get(card_url(complaint)).content, "html.parser")
    actions = {form.get("action") for form in soup.find_all("form")}
    return {name for name, view in FORMS.items() if reverse(view, args=[complaint.number]) in actions}


@pytest.mark.parametrize(("who", "offered"), [
    ("manager", set()),  # reads everything, writes nothing
    ("executor", {"note", "attach"}),  # on the card of one of their measures
    ("responsible", {"note", "call", "attach", "message"}),
    ("operator", {"note", "call", "attach", "message"}),  # who registered it
])
def test_the_card_offers_only_the_writes_the_user_may_make(client, request, walk, who, offered):
    """The manager's card showed the note, call and file forms, and the services took them."""
    from amends.complaints.choices import State

    complaint = walk(None, State.IN_PROGRESS)
    client.force_login(request.getfixturevalue(who))
    assert write_forms(client, complaint) == offered


def test_a_step_another_app_takes_in_its_panel_is_a_link_there_not_a_form(client, qms, complaint, monkeypatch):
    """The QMS head may assign a registered card: registered to a panel, the step's form gives way to
    a link to that panel (the answers app takes the answer step so, in "Send the answer")."""
    from amends.complaints import card_page

    client.force_login(qms)
    page = BeautifulSoup(client.get(card_url(complaint)).content, "html.parser")
    assert page.find("details", attrs={"data-transition": "assign"}) is not None
    monkeypatch.setattr(card_page, "TRANSITION_PANELS", {})
    card_page.register_transition_panel("assign", "test-panel", "Assign on the panel")
    page = BeautifulSoup(client.get(card_url(complaint)).content, "html.parser")
    assert page.find("details", attrs={"data-transition": "assign"}) is None
    link = page.select_one('#actions [data-transition-panel="assign"] a')
    assert (link["href"], link.get_text()) == ("#test-panel", "Assign on the panel")
    assert page.find("details", attrs={"data-transition": "withdraw"}) is not None  # the other steps stay



@pytest.mark.parametrize(("language", "label"), [("en", "Note"), ("ru", "Заметка")])
def test_the_timeline_names_each_entry_in_the_readers_language(client, qms, complaint, language, label):
    events.event_note(complaint, qms, "Перезвонить завтра")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    client.force_login(qms)
    entry = BeautifulSoup(client.get(card_url(complaint)).content, "html.parser").select(".timeline .event-note")[-1]
    assert entry.em.get_text() == label


def test_an_entry_of_a_kind_no_longer_known_is_named_by_its_value():
    assert TimelineEvent(kind="retired").kind_label == "retired"
