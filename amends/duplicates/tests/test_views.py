import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from amends.complaints.choices import State
from amends.complaints.models import TimelineEvent
from amends.duplicates.models import DuplicateCandidate
from amends.duplicates.pages import candidates_panel

from .samples import RU, RU_RESENT

pytestmark = pytest.mark.urls("amends.duplicates.tests.urls")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def pair(register, contact):
    """An original card and the operator's new card: the same customer sends it again, reworded."""
    return register(RU, contact=contact), register(RU_RESENT, contact=contact)


@pytest.fixture
def alike(register, contact, other_contact):
    """A card and another customer's card worded alike."""
    return register(RU, contact=contact), register(RU_RESENT, contact=other_contact)


def render_candidates(user, complaint) -> str:
    """The card's candidates panel alone, as the card page renders it."""
    request = RequestFactory().get("/")
    request.user = user
    context = {"complaint": complaint, "csrf_token": "t", **candidates_panel(request, complaint, {})}
    with translation.override("en"):
        return render_to_string("duplicates/candidates.html", context)


def forms(html: str) -> list[tuple[str, dict[str, str]]]:
    """(action, hidden fields) of each form in the snippet."""
    found = []
    for action, body in re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        fields.pop("csrfmiddlewaretoken", None)
        found.append((action, fields))
    return found


def test_the_card_snippet_offers_one_click_mark_and_dismiss(pair, operator):
    original, card = pair
    html = render_candidates(operator, card)
    candidate = DuplicateCandidate.objects.get(complaint=card)

    assert f'href="{reverse("complaints:detail", args=[original.number])}"' in html
    assert "Same contact" in html and f"{round(candidate.score * 100)} %" in html
    assert forms(html) == [
        (reverse("complaints:transition", args=[card.number, "mark_duplicate"]),
         {"mark_duplicate-version": str(card.version), "mark_duplicate-original_number": original.number}),
        (reverse("duplicates:dismiss", args=[candidate.pk]), {}),
    ]


def test_the_panel_reads_its_candidates_in_one_query_and_shows_each(
    register, contact, operator, django_assert_num_queries,
):
    first, second = register(RU, contact=contact), register(RU_RESENT.replace("Здравствуйте! ", ""), contact=contact)
    card = register(RU_RESENT, contact=contact)
    operator.roles  # noqa: B018 - read once per request, before the panel
    with django_assert_num_queries(1) as queries:  # what the template shows of the other cards comes with them
        html = render_candidates(operator, card)
    assert '"wording"' not in queries.captured_queries[0]["sql"]  # nor more of them
    for other in (first, second):
        row = re.search(rf'<tr data-candidate="{other.number}">(.*?)</tr>', html, re.S).group(1)
        with translation.override("en"):
            assert f">{other.number}</a>" in row and f" · {other.get_channel_display()}</td>" in row


def test_the_one_click_form_marks_the_card_a_duplicate_through_the_card_transition(client, pair, operator):
    original, card = pair
    action, fields = forms(render_candidates(operator, card))[0]

    client.force_login(operator)
    response = client.post(action, fields)

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == State.DUPLICATE and card.duplicate_of == original
    # A card that is no longer open offers nothing.
    assert render_candidates(operator, card).strip() == ""


def test_the_snippet_shows_no_buttons_to_who_may_not_decide(pair, manager):
    html = render_candidates(manager, pair[1])
    assert pair[0].number in html
    assert forms(html) == []


def test_the_snippet_is_empty_without_candidates(register, contact, operator):
    assert render_candidates(operator, register(RU, contact=contact)).strip() == ""


def test_dismiss_hides_the_candidate_and_returns_to_the_card(client, pair, operator):
    original, card = pair
    candidate = DuplicateCandidate.objects.get(complaint=card)
    client.force_login(operator)

    response = client.post(reverse("duplicates:dismiss", args=[candidate.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("complaints:detail", args=[card.number])
    assert f"{original.number} will no longer be offered" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.dismissed
    assert TimelineEvent.objects.filter(complaint=card, text__contains=original.number).exists()
    assert original.number not in render_candidates(operator, card)


def test_dismiss_needs_a_post_and_a_card_the_user_sees(client, pair, make_user):
    from amends.accounts.roles import Role

    candidate = DuplicateCandidate.objects.get(complaint=pair[1])
    url = reverse("duplicates:dismiss", args=[candidate.pk])
    client.force_login(make_user("operator2", Role.OPERATOR))
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404  # not this operator's card
    candidate.refresh_from_db()
    assert not candidate.dismissed


def test_dismiss_by_who_sees_but_may_not_decide_is_forbidden(client, pair, manager):
    candidate = DuplicateCandidate.objects.get(complaint=pair[1])
    client.force_login(manager)
    assert client.post(reverse("duplicates:dismiss", args=[candidate.pk])).status_code == 403
    candidate.refresh_from_db()
    assert not candidate.dismissed


def test_the_card_page_shows_the_candidates_first_in_its_main_column(client, pair, operator):
    from bs4 import BeautifulSoup

    original, card = pair
    client.force_login(operator)
    page = BeautifulSoup(client.get(reverse("complaints:detail", args=[card.number])).content, "html.parser")
    first = page.select_one(".main-col > section")
    assert first["id"] == "duplicate-candidates"
    assert first.select_one(f'tr[data-candidate="{original.number}"]') is not None


def test_another_customers_similar_complaint_is_shown_apart_and_never_offered_as_a_duplicate(alike, operator):
    from bs4 import BeautifulSoup

    original, card = alike
    page = BeautifulSoup(render_candidates(operator, card), "html.parser")

    assert page.select_one("#duplicate-candidates") is None
    similar = page.select_one("#similar-complaints")
    assert similar.h2.get_text() == "Similar complaints"
    assert similar.select_one(f'li[data-similar="{original.number}"] a')["href"] == reverse(
        "complaints:detail", args=[original.number],
    )
    assert "not duplicates" in similar.get_text()
    assert forms(str(page)) == []  # no "Duplicate of", no "Not a duplicate"


# ---- the registration form's live search ----

def draft(client, **fields):
    return client.post(reverse("duplicates:draft"), {"csrfmiddlewaretoken": "x", **fields})


def test_the_draft_search_shows_the_customers_duplicates_and_others_similar_complaints(
    client, register, contact, other_contact, operator,
):
    from bs4 import BeautifulSoup

    mine = register(RU, contact=contact)  # registered by this operator: linked
    theirs = register(RU_RESENT.replace("Здравствуйте! ", ""), contact=other_contact)
    client.force_login(operator)

    page = BeautifulSoup(draft(client, wording=RU_RESENT, contact=contact.pk).content, "html.parser")

    duplicates, similar = page.select_one("#draft-duplicates"), page.select_one("#draft-similar")
    assert [li["data-candidate"] for li in duplicates.select("li")] == [mine.number]
    assert duplicates.select_one("a")["href"] == reverse("complaints:detail", args=[mine.number])
    assert "Same contact" in duplicates.get_text()
    assert [li["data-candidate"] for li in similar.select("li")] == [theirs.number]
    assert "not duplicates" in similar.get_text()


def test_the_draft_search_links_only_the_cards_the_operator_may_open(client, register, contact, make_user):
    from amends.accounts.roles import Role

    mine = register(RU, contact=contact)
    other_operator = make_user("operator2", Role.OPERATOR)
    client.force_login(other_operator)
    html = draft(client, wording=RU_RESENT, email=contact.email).content.decode()
    assert mine.number in html
    assert reverse("complaints:detail", args=[mine.number]) not in html


def test_the_draft_search_is_for_who_registers_complaints_and_writes_nothing(
    client, register, contact, operator, qms, manager, make_user,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amends.accounts.roles import Role
    from amends.complaints.models import Complaint
    from amends.duplicates.models import SignatureBand, TextSignature

    card = register(RU, contact=contact, check=False)  # unsigned: the search signs it in memory only
    url = reverse("duplicates:draft")
    assert client.post(url, {"wording": RU_RESENT}).status_code == 302  # to the login page
    for user, status in [(operator, 200), (qms, 200), (manager, 403), (make_user("ex", Role.EXECUTOR), 403)]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"wording": RU_RESENT, "contact": contact.pk})
        assert response.status_code == status, user
        writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
        # Signing in keeps the session; the search itself writes nothing.
        assert all("django_session" in sql or "last_login" in sql for sql in writes), writes
    assert client.get(url).status_code == 405
    assert not TextSignature.objects.filter(complaint=card).exists()
    assert not SignatureBand.objects.filter(complaint=card).exists()
    assert not DuplicateCandidate.objects.exists()
    assert Complaint.objects.count() == 1


def test_the_draft_search_of_nothing_is_empty(client, operator):
    client.force_login(operator)
    response = draft(client, wording="", contact="999999")
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_the_registration_form_carries_the_live_search(client, operator):
    from bs4 import BeautifulSoup

    client.force_login(operator)
    page = BeautifulSoup(client.get(reverse("complaints:register")).content, "html.parser")
    search = page.select_one("form #draft-candidates")
    assert search["hx-post"] == reverse("duplicates:draft")
    assert "keyup changed delay:500ms from:#id_wording" in search["hx-trigger"]
    assert page.select_one('script[src$="htmx-2.min.js"]') is not None
