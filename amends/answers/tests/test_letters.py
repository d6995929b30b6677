import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from amends.answers.choices import Outcome
from amends.answers.letter_names import money_text
from amends.answers.letters import card_language, letter_draft, letter_update
from amends.answers.models import LegalReference, Letter, LetterTemplate
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.services import attachment_store, complaint_register
from amends.core.errors import AccessDenied, TransitionNotAllowed
from amends.intake.channels.web_form import services as web_form
from amends.intake.models import InboundMessage

# The words each language's default template opens with, and the word for "by" before a date.
GREETING = {"ru": "Здравствуйте", "en": "Dear", "hy": "Հարգելի"}


@pytest.mark.parametrize("language", ["ru", "en", "hy"])
@pytest.mark.parametrize("justification, outcome", [
    (Justification.JUSTIFIED, Outcome.SATISFIED),
    (Justification.PARTLY, Outcome.PARTLY),
    (Justification.UNJUSTIFIED, Outcome.REFUSED),
])
def test_a_decided_card_gets_its_outcomes_letter_in_each_language(decided, grant, writer, language, justification,
                                                                    outcome):
    card = decided(justification)
    given = grant(card)
    letter = letter_draft(complaint=card, actor=writer, language=language)
    assert (letter.outcome, letter.language, letter.signed_by) == (outcome, language, writer)
    assert letter.template == LetterTemplate.objects.get(outcome=outcome, language=language)
    assert card.number in letter.subject
    body = letter.body
    assert body.startswith("ООО «Сервис Плюс»") and GREETING[language] in body
    for filled in ("ОГРН 1027700132195", "Мясницкая", "Екатеринбург", "Доставка опоздала на три дня",
                   "Анна Петрова", "+7 495 000-00-01", "anna@example.ru", "Курьер опоздал по нашей вине."):
        assert filled in body, filled
    assert "{{" not in body and "{%" not in body
    with translation.override(language):
        with_grant = money_text(given.value) in body
    assert with_grant == (outcome != Outcome.REFUSED)


def test_the_amount_and_date_are_written_as_the_letters_language_writes_them(decided, grant, writer):
    card = decided()
    grant(card, value="1500.00")
    due = timezone.localdate() + timezone.timedelta(days=5)
    english = letter_draft(complaint=card, actor=writer, language="en")
    assert f"1,500.00, переводом на карту, by {due.day} {due:%b %Y}" in english.body
    Letter.objects.filter(pk=english.pk).update(sent_at=timezone.now())
    russian = letter_draft(complaint=card, actor=writer, language="ru")
    assert f"1\xa0500,00, переводом на карту, до {due:%d.%m.%Y}" in russian.body


def test_a_letter_in_another_language_names_the_option_by_its_kind_in_that_language(decided, grant, writer):
    card = decided()
    grant(card)  # "Возврат стоимости доставки", a refund, named in the company's language
    english = letter_draft(complaint=card, actor=writer, language="en")
    assert "Refund: 1,500.00" in english.body and "Возврат стоимости доставки" not in english.body
    Letter.objects.filter(pk=english.pk).update(sent_at=timezone.now())
    russian = letter_draft(complaint=card, actor=writer, language="ru")
    assert "Возврат стоимости доставки: 1\xa0500,00" in russian.body


def test_only_approved_compensation_is_in_the_letter(decided, grant, writer):
    card = decided()
    grant(card, status="pending", value="9999.00")
    letter = letter_draft(complaint=card, actor=writer, language="ru")
    assert "9\xa0999,00" not in letter.body


def test_the_language_is_the_customers_else_the_companys(decided, writer, complaint):
    card = decided()
    assert card_language(card) == settings.LANGUAGE_CODE
    InboundMessage.objects.create(
        channel=Channel.WEB_FORM, source=web_form.SOURCE, complaint=card, received_at=timezone.now(),
        raw=json.dumps({"text": "x", "language": "hy"}).encode(),
    )
    assert card_language(card) == "hy"
    letter = letter_draft(complaint=card, actor=writer, outcome=Outcome.HOLDING)
    assert letter.language == "hy"


def test_the_language_of_the_letters_already_sent_wins(decided, writer):
    card = decided()
    sent = letter_draft(complaint=card, actor=writer, outcome=Outcome.HOLDING, language="en")
    Letter.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    assert letter_draft(complaint=card, actor=writer).language == "en"


def test_a_holding_reply_promises_the_decision_date(decided, writer):
    card = decided(state=State.ASSIGNED)
    letter = letter_draft(complaint=card, actor=writer, outcome=Outcome.HOLDING, language="en")
    due = timezone.localtime(max(clock.due_at for clock in card.clocks.all() if clock.kind == "decision"))
    assert letter.subject.endswith(f"we will answer by {due.day} {due:%b %Y}")


def test_an_undecided_card_gets_only_holding_and_information_letters(decided, writer):
    card = decided(state=State.INVESTIGATING)
    with pytest.raises(TransitionNotAllowed):
        letter_draft(complaint=card, actor=writer, outcome=Outcome.SATISFIED)
    assert letter_draft(complaint=card, actor=writer, outcome=Outcome.INFO_REQUEST).outcome == Outcome.INFO_REQUEST


def test_without_a_justification_the_outcome_must_be_given(decided, writer):
    card = decided(justification="", state=State.INVESTIGATING)
    with pytest.raises(ValidationError) as refused:
        letter_draft(complaint=card, actor=writer)
    assert "outcome" in refused.value.message_dict


def test_a_registered_card_gets_no_letter(complaint, writer):
    complaint.responsible = writer
    complaint.save()
    with pytest.raises(TransitionNotAllowed):
        letter_draft(complaint=complaint, actor=writer, outcome=Outcome.HOLDING)


@pytest.mark.parametrize("who", ["operator", "executor", "manager"])
def test_only_the_responsible_person_or_the_qms_head_writes_letters(decided, who, request):
    card = decided()
    with pytest.raises(AccessDenied):
        letter_draft(complaint=card, actor=request.getfixturevalue(who))


def test_the_qms_head_writes_letters_too(decided, qms):
    assert letter_draft(complaint=decided(), actor=qms).outcome == Outcome.SATISFIED


def test_a_letter_being_written_is_drafted_again_in_place_with_its_references(decided, writer):
    card = decided(Justification.UNJUSTIFIED)
    letter = letter_draft(complaint=card, actor=writer, language="ru")
    reference = LegalReference.objects.get(title__endswith="ст. 18")
    letter_update(letter=letter, actor=writer, subject=letter.subject, body=letter.body, references=[reference],
                  enclosures=[], signed_by=writer)
    again = letter_draft(complaint=card, actor=writer, language="ru")
    assert again.pk == letter.pk and reference.title in again.body
    assert Letter.objects.filter(complaint=card).count() == 1


def test_a_sent_letter_cannot_be_edited(decided, writer):
    letter = letter_draft(complaint=decided(), actor=writer)
    Letter.objects.filter(pk=letter.pk).update(sent_at=timezone.now())
    with pytest.raises(TransitionNotAllowed):
        letter_update(letter=letter, actor=writer, subject="S", body="B", references=[], enclosures=[],
                      signed_by=writer)
    letter.refresh_from_db()
    assert letter.body != "B"


def test_an_update_refuses_another_cards_file_and_empty_text(decided, writer, operator, contact):
    card = decided()
    letter = letter_draft(complaint=card, actor=writer)
    other = complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording="Другое")
    foreign = attachment_store(other, SimpleUploadedFile("a.txt", b"x"), None)
    with pytest.raises(ValidationError) as refused:
        letter_update(letter=letter, actor=writer, subject=" ", body="B", references=[], enclosures=[foreign],
                      signed_by=writer)
    assert set(refused.value.message_dict) == {"subject", "enclosures"}


def test_an_update_keeps_what_the_writer_chose(decided, writer):
    card = decided()
    letter = letter_draft(complaint=card, actor=writer)
    photo = attachment_store(card, SimpleUploadedFile("photo.jpg", b"x"), None)
    reference = LegalReference.objects.first()
    letter_update(letter=letter, actor=writer, subject="Ответ", body="Текст", references=[reference],
                  enclosures=[photo], signed_by=None)
    letter.refresh_from_db()
    assert (letter.subject, letter.body, letter.signed_by) == ("Ответ", "Текст", None)
    assert list(letter.references.all()) == [reference] and list(letter.enclosures.all()) == [photo]
