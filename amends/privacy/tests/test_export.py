import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from amends.complaints.choices import Channel, EventKind
from amends.complaints.event_texts import MEASURE_PLANNED
from amends.complaints.events import event_compensation, event_deadline, event_measure
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.deadlines.choices import ClockKind, Level
from amends.intake.identity import contact_email_proven
from amends.intake.outbound import email_proof
from amends.privacy.export import personal_data_export, personal_data_zip
from amends.privacy.pdf import export_pdf

from .conftest import EMAIL, EMAIL_TEXT, NAME, WORDING


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_export_holds_every_card_of_every_contact_row_of_the_person(person, operator):
    # The same person, written down again with another spelling of the same phone.
    again = contact_create(full_name="А. Петрова", phone="8 912 000 11 22")
    third = complaint_register(
        actor=operator, channel=Channel.PHONE, contact=again, wording="Третья жалоба по телефону.",
    )

    data = personal_data_export(contact=person.contact)

    numbers = {card["number"] for card in data["complaints"]}
    assert numbers == {person.web.number, person.mailed.number, third.number}
    assert person.other.number not in numbers
    assert {contact["full_name"] for contact in data["contacts"]} == {NAME, "А. Петрова"}
    assert data["contacts"][0]["email"] == EMAIL
    web = next(card for card in data["complaints"] if card["number"] == person.web.number)
    assert web["wording"] == WORDING and web["satisfaction"] == 4
    assert [item["original_name"] for item in web["attachments"]] == ["петрова-чек.jpg"]
    assert any("жду ответа" in event["text"] for event in web["timeline"])
    assert web["messages_sent"][0]["recipient"] == EMAIL
    assert web["messages_received"][0]["channel"] == Channel.WEB_FORM and web["messages_received"][0]["size"] > 0
    assert "Responsible" not in json.dumps(data, ensure_ascii=False)  # staff are not named
    mailed = next(card for card in data["complaints"] if card["number"] == person.mailed.number)
    assert EMAIL_TEXT in mailed["wording"]


def test_the_pdf_renders_cyrillic_and_armenian_text_with_the_font_embedded(person):
    data = personal_data_export(contact=person.contact)
    data["complaints"][0]["opinion"] = "Բողոքը հիմնավորված չէ"
    content = export_pdf(data)

    text = pdf_text(content)
    assert NAME in text and person.web.number in text and "Чайник протекает" in text
    assert "Բողոքը հիմնավորված չէ" in text
    fonts = {
        str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in name for name in fonts)


def test_the_zip_holds_the_json_the_pdf_and_the_files(person):
    archive = zipfile.ZipFile(io.BytesIO(personal_data_zip(contact=person.contact)))
    names = set(archive.namelist())
    data = json.loads(archive.read("personal-data.json"))
    [attachment] = data["complaints"][0]["attachments"]
    assert names == {"personal-data.json", "personal-data.pdf", attachment["file"]}
    assert archive.read(attachment["file"]) == b"\xff\xd8\xff photo"
    assert NAME in pdf_text(archive.read("personal-data.pdf"))


def test_a_provisional_row_with_her_e_mail_stays_out_of_the_export_until_she_proves_the_address(
    person, client, process_queued,
):
    # Anyone can type her address into the web form: until proven, the card may be a stranger's.
    client.post("/complain/", {
        "name": "Незнакомка", "email": EMAIL, "text": "Чужая жалоба на пылесос.", "consent": "on",
        "attachments": [SimpleUploadedFile("чужой-чек.jpg", b"stranger", content_type="image/jpeg")],
    })
    process_queued()
    later = Complaint.objects.get(wording="Чужая жалоба на пылесос.")
    assert later.contact.provisional and later.contact.email == EMAIL

    data = personal_data_export(contact=person.contact)
    archive = zipfile.ZipFile(io.BytesIO(personal_data_zip(contact=person.contact)))

    assert {card["number"] for card in data["complaints"]} == {person.web.number, person.mailed.number}
    assert [contact["full_name"] for contact in data["contacts"]] == [NAME]
    assert "Незнакомка" not in json.dumps(data, ensure_ascii=False)
    assert not any("чужой-чек" in name for name in archive.namelist())
    with pytest.raises(ValidationError):
        personal_data_export(contact=later.contact)

    # She opens the link mailed to that address: the card is hers, and moves to her contact row.
    assert contact_email_proven(complaint=later, proof=email_proof(later, EMAIL))
    data = personal_data_export(contact=person.contact)
    assert later.number in {card["number"] for card in data["complaints"]}


def test_measure_and_escalation_entries_are_exported_without_the_staff_they_name(person, responsible):
    event_measure(person.web, responsible, MEASURE_PLANNED, {
        "measure": "Заменить чайник", "executor": "Сергей Новиков", "due": "2026-12-13",
    })
    event_deadline(person.web, None, "breached", {
        "step": Level.BREACHED, "clock": ClockKind.DECISION, "due": "2026-12-01T12:00:00+00:00",
        "people": ["Сергей Новиков", "Кира Качествова"], "passed": [],
    })
    event_compensation(person.web, responsible, "approved", {
        "option": "Подарок", "value": "500.00", "currency": "RUB", "method": "в магазине", "due": "2026-12-13",
        "granted_by": "Сергей Новиков", "reason": "",
    })
    # An older entry kept only as text may name anyone.
    TimelineEvent.objects.create(complaint=person.web, kind=EventKind.MEASURE, text="Мероприятие: Сергей Новиков")

    with translation.override("ru"):
        exported = json.dumps(personal_data_export(contact=person.contact), ensure_ascii=False)

    assert "Новиков" not in exported and "Качествова" not in exported
    assert "Заменить чайник" in exported  # the measure itself is hers to read
    assert "Подарок" in exported  # and so is her compensation
