from amends.answers.choices import ReferenceKind
from amends.answers.defaults import default_references, default_templates, load_letter_defaults
from amends.answers.letters import letter_draft
from amends.answers.models import LegalReference, LetterTemplate


def test_the_reference_library_is_seeded_with_the_consumer_law_and_contract_clauses(db):
    laws = LegalReference.objects.filter(kind=ReferenceKind.LAW, is_active=True).values_list("title", flat=True)
    assert sorted(title.rsplit(" ", 1)[1] for title in laws) == ["18", "20", "21", "22", "23"]
    assert LegalReference.objects.filter(kind=ReferenceKind.CONTRACT).count() == 9
    assert all(reference.text for reference in LegalReference.objects.all())


def test_loading_the_defaults_again_adds_nothing_and_keeps_administrators_edits(db):
    template = LetterTemplate.objects.get(outcome="holding", language="ru")
    template.body = "Изменено администратором: {{ card.number }}"
    template.save()
    load_letter_defaults(LetterTemplate, LegalReference)
    assert LetterTemplate.objects.count() == len(default_templates()) == 15
    assert LegalReference.objects.count() == len(default_references())
    template.refresh_from_db()
    assert template.body.startswith("Изменено администратором")


def test_a_letter_names_its_card_and_subject(decided, writer):
    letter = letter_draft(complaint=decided(), actor=writer, language="en")
    assert str(letter) == f"{letter.complaint_id}: {letter.subject}"
    assert str(letter.template) == f"{letter.template.name} (en)"
