import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amends.answers.letters import letter_draft
from amends.answers.models import LegalReference, Letter
from amends.complaints.choices import Justification, State


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def card_page(client, card) -> BeautifulSoup:
    response = client.get(reverse("complaints:detail", args=[card.number]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_panel_drafts_a_letter_and_lists_what_it_lacks(client, decided, writer):
    card = decided()
    client.force_login(writer)
    panel = card_page(client, card).find(id="panel-letter")
    assert panel.find("h2").get_text() == "Letter to the customer"
    assert panel.find("select", {"name": "draft-outcome"}).find("option", selected=True)["value"] == "satisfied"
    response = client.post(reverse("answers:letter_draft", args=[card.number]),
                           {"draft-outcome": "satisfied", "draft-language": "en"})
    assert response.status_code == 302
    letter = Letter.objects.get(complaint=card)
    assert letter.language == "en" and letter.body.startswith("ООО «Сервис Плюс»")
    panel = card_page(client, card).find(id="panel-letter")
    assert panel.find("textarea", {"name": "letter-body"}).get_text().strip() == letter.body
    links = {a.get_text(" ", strip=True): a["href"] for a in panel.select(".letter-missing a")}
    assert links == {
        "No compensation is granted and approved on the card: a satisfied claim states its exact amount, "
        "method and period.": f"/complaints/{card.number}/#panel-compensation",
    }
    assert panel.find(id="id_letter-references") is not None  # the links' targets are on the page


def test_the_writer_edits_and_drafts_again_with_the_chosen_reference(client, decided, writer):
    card = decided(Justification.UNJUSTIFIED)
    letter = letter_draft(complaint=card, actor=writer, language="ru")
    reference = LegalReference.objects.get(title__endswith="ст. 18")
    client.force_login(writer)
    url = reverse("answers:letter_edit", args=[card.number, letter.pk])
    data = {"letter-subject": "Ответ", "letter-body": "Текст письма", "letter-references": [reference.pk],
            "letter-signed_by": writer.pk}
    assert client.post(url, data).status_code == 302
    letter.refresh_from_db()
    assert (letter.subject, letter.body) == ("Ответ", "Текст письма")
    assert client.post(url, data | {"letter-redraft": "on"}).status_code == 302
    letter.refresh_from_db()
    assert reference.title in letter.body and letter.subject != "Ответ"


def test_an_invalid_edit_shows_the_card_again_with_the_error(client, decided, writer):
    card = decided()
    letter = letter_draft(complaint=card, actor=writer)
    client.force_login(writer)
    response = client.post(reverse("answers:letter_edit", args=[card.number, letter.pk]),
                           {"letter-subject": "Ответ", "letter-body": "   "})
    assert response.status_code == 400
    assert "This field is required." in BeautifulSoup(response.content, "html.parser").find(id="panel-letter").text
    letter.refresh_from_db()
    assert letter.body.startswith("ООО")


def test_a_final_outcome_is_refused_on_an_undecided_card(client, decided, writer):
    card = decided(state=State.INVESTIGATING)
    client.force_login(writer)
    select = card_page(client, card).find("select", {"name": "draft-outcome"})
    assert [option["value"] for option in select.find_all("option")] == ["holding", "info_request"]
    response = client.post(reverse("answers:letter_draft", args=[card.number]),
                           {"draft-outcome": "refused", "draft-language": "ru"})
    assert response.status_code == 400 and not Letter.objects.exists()


def test_the_panel_is_for_those_who_write_letters_on_cards_that_may_have_one(client, decided, writer, operator,
                                                                             complaint):
    client.force_login(operator)
    card = decided()
    assert card_page(client, card).find(id="panel-letter") is None
    assert client.post(reverse("answers:letter_draft", args=[card.number]), {}).status_code == 403
    client.force_login(writer)
    complaint.responsible = writer
    complaint.state = State.REGISTERED
    complaint.save()
    assert card_page(client, complaint).find(id="panel-letter") is None


def test_a_sent_letter_is_shown_not_edited(client, decided, writer):
    card = decided(state=State.ANSWERED)
    letter = letter_draft(complaint=card, actor=writer)
    Letter.objects.filter(pk=letter.pk).update(sent_at=timezone.now())
    client.force_login(writer)
    panel = card_page(client, card).find(id="panel-letter")
    assert panel.find("textarea", {"name": "letter-body"}) is None
    assert letter.body.splitlines()[0] in panel.find("pre").get_text()


def test_the_letter_being_written_is_shown_after_a_sent_one_and_the_letters_read_once(client, decided, writer):
    card = decided()
    sent = letter_draft(complaint=card, actor=writer)
    Letter.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    Letter.objects.filter(pk=letter_draft(complaint=card, actor=writer).pk).update(body="Новый текст")
    client.force_login(writer)
    with CaptureQueriesContext(connection) as captured:
        page = card_page(client, card)
    assert page.find(id="panel-letter").find("textarea", {"name": "letter-body"}).get_text().strip() == "Новый текст"
    assert page.find(id="answer-send") is not None
    # The letter panel, the send panel and the customer's language each look at the letters.
    assert sum('FROM "answers_letter"' in query["sql"] for query in captured) == 1


def test_the_live_tone_check_reads_the_letters_text_field(client, decided, writer):
    card = decided()
    letter_draft(complaint=card, actor=writer, language="ru")
    client.force_login(writer)
    panel = card_page(client, card).find(id="panel-letter")
    live = panel.find(attrs={"data-tone-field": True})
    assert panel.find("textarea", {"name": live["data-tone-field"]}) is not None
    response = client.post(reverse("answers:tone_check"), {
        "field": live["data-tone-field"], "language": "ru", live["data-tone-field"]: "Успокойтесь, пожалуйста.",
    })
    assert "tone-finding" in response.content.decode()
