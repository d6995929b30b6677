import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amends.answers.checks import letter_problems
from amends.answers.elements import missing_elements
from amends.answers.letters import letter_draft, letter_update
from amends.answers.models import LegalReference, Letter, Letterhead
from amends.complaints.choices import Justification
from amends.complaints.services import attachment_store


@pytest.fixture
def satisfied(decided, grant, writer):
    """A justified card with approved compensation, and its letter as drafted."""
    card = decided()
    grant(card)
    return card, letter_draft(complaint=card, actor=writer)


def codes(letter: Letter) -> dict[str, str]:
    return {problem.code: problem.url for problem in missing_elements(letter)}


def edit(letter: Letter, writer, **changes) -> Letter:
    fields = {"subject": letter.subject, "body": letter.body, "references": letter.references.all(),
              "enclosures": letter.enclosures.all(), "signed_by": letter.signed_by} | changes
    return letter_update(letter=letter, actor=writer, **fields)


def test_a_drafted_satisfied_letter_with_approved_compensation_holds_every_element(satisfied):
    _card, letter = satisfied
    assert missing_elements(letter) == []
    assert letter_problems(letter) == []  # registered as the send check "elements"


def test_without_a_letterhead_the_company_elements_point_to_its_admin(decided, grant, writer):
    card = decided()
    grant(card)
    Letterhead.objects.all().delete()
    letter = letter_draft(complaint=card, actor=writer)
    admin = reverse("admin:answers_letterhead_changelist")
    assert {code: url for code, url in codes(letter).items()} == {
        "missing:company": admin, "missing:registration": admin, "missing:sender_address": admin,
    }


def test_the_company_edited_out_of_the_text_points_to_the_body(satisfied, writer):
    card, letter = satisfied
    letter = edit(letter, writer, body=letter.body.replace("ОГРН 1027700132195, ИНН 7701234567", ""))
    assert codes(letter) == {"missing:registration": f"/complaints/{card.number}/#id_letter-body"}


def test_a_customer_without_an_address_points_to_the_customer_form(satisfied):
    card, letter = satisfied
    card.contact.address = ""
    card.contact.save()
    letter = Letter.objects.get(pk=letter.pk)
    assert codes(letter) == {"missing:recipient_address": f"/complaints/{card.number}/#customer"}


def test_the_essence_must_be_restated(satisfied, writer):
    _card, letter = satisfied
    letter = edit(letter, writer, body=letter.body.replace("Доставка опоздала на три дня", "Что-то случилось"))
    assert list(codes(letter)) == ["missing:essence"]


def test_a_satisfied_letter_without_approved_compensation_points_to_the_compensation_panel(decided, grant, writer):
    card = decided(Justification.PARTLY)
    grant(card, status="pending")
    letter = letter_draft(complaint=card, actor=writer)
    assert codes(letter) == {"missing:compensation": f"/complaints/{card.number}/#panel-compensation"}


def test_the_compensation_figures_must_be_in_the_text(satisfied, writer):
    _card, letter = satisfied
    letter = edit(letter, writer, body=letter.body.replace("1\xa0500,00", "полторы тысячи"))
    (problem,) = missing_elements(letter)
    assert problem.code == "missing:compensation" and "1\xa0500,00" in problem.message
    assert problem.url.endswith("#id_letter-body")


def test_a_refusal_needs_reasons_and_a_cited_reference(decided, writer):
    card = decided(Justification.UNJUSTIFIED, opinion="")
    letter = letter_draft(complaint=card, actor=writer)
    assert codes(letter) == {
        "missing:reasons": f"/complaints/{card.number}/#fields",
        "missing:references": f"/complaints/{card.number}/#id_letter-references",
    }
    card.opinion = "Товар повреждён при эксплуатации, что подтвердила экспертиза."
    card.save()
    reference = LegalReference.objects.get(title="Договор, раздел «Гарантийные обязательства»")
    letter = edit(letter, writer, references=[reference])
    assert set(codes(letter)) == {"missing:reasons", "missing:references"}  # chosen, not yet in the text
    letter = letter_draft(complaint=card, actor=writer)  # drafted again: the template cites it
    assert missing_elements(letter) == []


def test_enclosures_are_listed_in_the_letter(satisfied, writer):
    card, letter = satisfied
    act = attachment_store(card, SimpleUploadedFile("акт-экспертизы.pdf", b"%PDF"), None)
    letter = edit(letter, writer, enclosures=[act])
    (problem,) = missing_elements(letter)
    assert problem.code == "missing:enclosures" and "акт-экспертизы.pdf" in problem.message
    letter = letter_draft(complaint=card, actor=writer)
    assert "1. акт-экспертизы.pdf" in letter.body and missing_elements(letter) == []
