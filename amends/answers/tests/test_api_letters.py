"""Letters through the API: the same services, rules and errors as the card's letter panel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from amends.answers.models import LegalReference, Letter
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.services import attachment_store, complaint_register


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def letters_url(card, tail: str = "") -> str:
    return f"/api/v1/complaints/{card.number}/letters/{tail}"


def test_draft_read_edit_and_list_what_is_missing(decided, grant, writer):
    card = decided(Justification.UNJUSTIFIED, opinion="Повреждение возникло при эксплуатации.")
    api = client_for(writer)
    response = api.post(letters_url(card), {"language": "en"}, format="json")
    assert response.status_code == 201, response.json()
    letter = response.json()
    assert (letter["outcome"], letter["language"], letter["signed_by"]["id"]) == ("refused", "en", writer.pk)
    assert "Dear" in letter["body"] and letter["sent_at"] is None
    missing = api.get(letters_url(card, f"{letter['id']}/missing/")).json()
    assert [problem for problem in missing if not problem["overridable"]] == [{
        "code": "missing:references",
        "message": "A refusal cites at least one legal or contractual reference: choose it on the letter.",
        "url": f"/complaints/{card.number}/#id_letter-references", "overridable": False,
    }]
    reference = LegalReference.objects.get(title="Contract, section “Warranty”")
    response = api.patch(letters_url(card, f"{letter['id']}/"),
                         {"references": [reference.pk], "body": letter["body"] + "\n" + reference.title},
                         format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["references"] == [{"id": reference.pk, "title": reference.title}]
    assert response.json()["subject"] == letter["subject"]  # left out: kept
    assert not [problem for problem in api.get(letters_url(card, f"{letter['id']}/missing/")).json()
                if not problem["overridable"]]
    assert [item["id"] for item in api.get(letters_url(card)).json()] == [letter["id"]]
    assert api.get(letters_url(card, f"{letter['id']}/")).json()["body"].endswith(reference.title)


def test_an_undecided_card_without_an_outcome_is_a_400(decided, writer):
    card = decided(justification="", state=State.INVESTIGATING)
    response = client_for(writer).post(letters_url(card), {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "outcome" in response.json()["errors"]


def test_a_final_letter_on_an_undecided_card_is_a_409(decided, writer):
    card = decided(state=State.INVESTIGATING)
    response = client_for(writer).post(letters_url(card), {"outcome": "satisfied"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"


def test_a_sent_letter_is_a_409_on_edit(decided, writer):
    card = decided()
    api = client_for(writer)
    letter_id = api.post(letters_url(card), {}, format="json").json()["id"]
    Letter.objects.filter(pk=letter_id).update(sent_at=timezone.now())
    response = api.patch(letters_url(card, f"{letter_id}/"), {"subject": "Другое"}, format="json")
    assert response.status_code == 409
    assert Letter.objects.get(pk=letter_id).subject != "Другое"


@pytest.mark.parametrize("who", ["operator", "executor"])
def test_others_who_see_the_card_read_letters_but_do_not_write_them(decided, writer, who, request):
    card = decided()
    letter_id = client_for(writer).post(letters_url(card), {}, format="json").json()["id"]
    other = request.getfixturevalue(who)
    if who == "executor":
        card.measures.create(description="Заменить", executor=other, due_date=timezone.localdate())
    api = client_for(other)
    assert api.get(letters_url(card, f"{letter_id}/")).status_code == 200
    response = api.post(letters_url(card), {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert api.patch(letters_url(card, f"{letter_id}/"), {"subject": "x"}, format="json").status_code == 403


def test_an_unknown_letter_is_a_404(decided, writer):
    response = client_for(writer).get(letters_url(decided(), "999/"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_cards_file_as_an_enclosure_is_a_400(decided, writer, operator, contact):
    card = decided()
    api = client_for(writer)
    letter_id = api.post(letters_url(card), {}, format="json").json()["id"]
    other = complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording="Другое")
    foreign = attachment_store(other, SimpleUploadedFile("a.txt", b"x"), None)
    response = api.patch(letters_url(card, f"{letter_id}/"), {"enclosures": [foreign.pk]}, format="json")
    assert response.status_code == 400 and "enclosures" in response.json()["errors"]
