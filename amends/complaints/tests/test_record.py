"""The card as a record after registration (issue 13, item 6): the customer corrected, a duplicate
unmarked, component and supplier shown, the sign-offs, the printed card and the acceptance note."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from amends.complaints.choices import Channel, EventKind, Signatory, State
from amends.complaints.models import Complaint, SignOff
from amends.complaints.services import (
    complaint_customer_correct,
    complaint_sign_off,
    complaint_transition,
)
from amends.core.errors import AccessDenied, TransitionNotAllowed
from amends.customers.models import Component, Contact, Supplier
from amends.customers.services import contact_create


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(complaint, view, **kwargs):
    return reverse(f"complaints:{view}", kwargs={"number": complaint.number, **kwargs})


# ---------------------------------------------------------------------------------------------
# Fax on the operator's form


def _fax_form(**extra) -> dict:
    return {"channel": Channel.FAX, "received_at": "2026-11-02T10:00", "full_name": "Сидоров Семён",
            "wording": "Факсом: счёт выставлен дважды.", "importance": "medium", **extra}


def test_the_operator_registers_a_fax_with_the_sender_s_fax_number(client, operator):
    client.force_login(operator)
    response = client.post(reverse("complaints:register"), _fax_form())
    assert response.status_code == 400
    assert "Enter the fax number the complaint came from." in response.content.decode()
    response = client.post(reverse("complaints:register"), _fax_form(fax="+7 495 123-45-67"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.FAX
    assert (complaint.contact.full_name, complaint.contact.fax) == ("Сидоров Семён", "+7 495 123-45-67")
    page = client.get(url(complaint, "detail")).content.decode()
    assert "+7 495 123-45-67" in page


# ---------------------------------------------------------------------------------------------
# The customer corrected


def test_the_contact_details_are_corrected_with_old_and_new_on_the_timeline(register, operator, contact):
    complaint = register()
    version = complaint.version
    complaint_customer_correct(complaint=complaint, actor=operator, details={
        "full_name": "Иванов Иван Петрович", "phone": contact.phone, "fax": "+7 495 111-22-33",
        "email": contact.email, "address": "",
    })
    contact.refresh_from_db()
    assert (contact.full_name, contact.fax) == ("Иванов Иван Петрович", "+7 495 111-22-33")
    event = complaint.events.get(kind=EventKind.FIELD_CHANGE, field="contact")
    assert event.actor == operator
    assert event.old_value.startswith("Иванов Иван Иванович · ")
    assert event.new_value.startswith("Иванов Иван Петрович · ") and "+7 495 111-22-33" in event.new_value
    assert Complaint.objects.get(pk=complaint.pk).version == version + 1


def test_unchanged_details_write_nothing(register, operator, contact):
    complaint = register()
    complaint_customer_correct(complaint=complaint, actor=operator, details={
        name: getattr(contact, name) for name in ("full_name", "phone", "fax", "email", "address")
    })
    assert not complaint.events.filter(kind=EventKind.FIELD_CHANGE).exists()


def test_the_card_moves_to_another_customer(register, responsible, qms, contact):
    complaint = register()
    complaint = complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
    other = contact_create(full_name="Петров Пётр", email="petrov@example.ru", organisation_name="АО «Лютик»")
    complaint_customer_correct(complaint=complaint, actor=responsible, other=other)
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.contact == other and stored.organisation == other.organisation
    changes = dict(complaint.events.filter(kind=EventKind.FIELD_CHANGE).values_list("field", "new_value"))
    assert changes["contact"] == str(other)


def test_moving_a_card_off_an_unconfirmed_contact_forgets_it(register, operator, contact):
    typed = contact_create(full_name="Иванов", email="ivanov@example.ru", provisional=True)
    complaint = register(contact=typed)
    complaint_customer_correct(complaint=complaint, actor=operator, other=contact)
    assert not Contact.objects.filter(pk=typed.pk).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_stranger_or_a_closed_card_gets_no_correction(register, operator2, walk, responsible):
    complaint = register()
    with pytest.raises(AccessDenied):
        complaint_customer_correct(complaint=complaint, actor=operator2, details={"full_name": "Кто-то"})
    closed = walk(None, State.CLOSED)
    with pytest.raises(AccessDenied):
        complaint_customer_correct(complaint=closed, actor=responsible, details={"full_name": "Кто-то"})


def test_the_card_form_moves_the_card_to_a_customer_found_by_e_mail(client, register, operator):
    complaint = register()
    other = contact_create(full_name="Петров Пётр", phone="+7 900 000-11-22", email="petrov@example.ru")
    client.force_login(operator)
    response = client.post(url(complaint, "customer"), {"customer-other": "Petrov@Example.ru"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).contact == other


def test_the_card_form_says_when_no_known_customer_matches(client, register, operator):
    complaint = register()
    client.force_login(operator)
    response = client.post(url(complaint, "customer"), {"customer-other": "nobody@example.ru"})
    assert response.status_code == 400
    assert "No known customer has this e-mail or phone." in response.content.decode()


def test_the_card_form_corrects_the_details(client, register, operator, contact):
    complaint = register()
    client.force_login(operator)
    page = client.get(url(complaint, "detail")).content.decode()
    assert 'name="customer-full_name"' in page and contact.full_name in page
    response = client.post(url(complaint, "customer"), {
        "customer-full_name": "Иванова Анна", "customer-phone": "+7 912 000-00-00", "customer-email": "",
        "customer-fax": "", "customer-address": "",
    })
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).full_name == "Иванова Анна"


# ---------------------------------------------------------------------------------------------
# A duplicate unmarked


@translation.override("en")  # its messages are asserted in English
def test_the_qms_head_unmarks_a_duplicate_with_a_reason(walk, qms):
    duplicate = walk(None, State.DUPLICATE)
    original = duplicate.duplicate_of
    with pytest.raises(Exception, match="reason"):
        complaint_transition(complaint=duplicate, name="unmark_duplicate", actor=qms)
    complaint = complaint_transition(
        complaint=duplicate, name="unmark_duplicate", actor=qms, comment="Другой заказ.",
    )
    assert complaint.state == State.REGISTERED and complaint.duplicate_of is None
    assert not original.duplicates.exists()
    move = complaint.events.filter(kind=EventKind.TRANSITION).last()
    assert (move.transition, move.text) == ("unmark_duplicate", "Другой заказ.")


def test_only_the_qms_head_unmarks_a_duplicate(walk, operator, responsible):
    duplicate = walk(None, State.DUPLICATE)
    for actor in (operator, responsible):
        with pytest.raises(AccessDenied):
            complaint_transition(complaint=duplicate, name="unmark_duplicate", actor=actor, comment="Нет.")


def test_the_card_offers_the_unmark_step_with_its_reason(client, walk, qms):
    duplicate = walk(None, State.DUPLICATE)
    client.force_login(qms)
    page = client.get(url(duplicate, "detail")).content.decode()
    assert 'data-transition="unmark_duplicate"' in page
    response = client.post(url(duplicate, "transition", name="unmark_duplicate"), {
        "unmark_duplicate-version": Complaint.objects.get(pk=duplicate.pk).version,
        "unmark_duplicate-comment": "Разные товары.",
    })
    assert response.status_code == 302
    assert Complaint.objects.get(pk=duplicate.pk).state == State.REGISTERED


# ---------------------------------------------------------------------------------------------
# Component and supplier


def test_the_card_shows_and_edits_component_and_supplier(client, register, qms):
    supplier = Supplier.objects.create(name="ООО «Пружина»")
    component = Component.objects.create(name="Пружина клапана", supplier=supplier)
    complaint = register()
    client.force_login(qms)
    soup = BeautifulSoup(client.get(url(complaint, "detail")).content, "html.parser")
    assert soup.select_one("#card-component").get_text() == "—"
    edit = BeautifulSoup(client.get(reverse("complaints:card_fragment", args=[complaint.number, "edit"])).content,
                         "html.parser")
    assert edit.select_one("select[name=component]") and edit.select_one("select[name=supplier]")
    form = {"version": complaint.version, "received_at": "2026-11-02T10:00", "channel": complaint.channel,
            "origin": complaint.origin, "wording": complaint.wording, "importance": complaint.importance,
            "component": component.pk, "supplier": supplier.pk, "request_type": complaint.request_type}
    assert client.post(url(complaint, "edit"), form).status_code == 302
    soup = BeautifulSoup(client.get(url(complaint, "detail")).content, "html.parser")
    assert soup.select_one("#card-component").get_text() == "Пружина клапана"
    assert soup.select_one("#card-supplier").get_text() == "ООО «Пружина»"


# ---------------------------------------------------------------------------------------------
# Sign-offs and the printed card


@translation.override("en")  # its messages are asserted in English
def test_the_responsible_person_and_the_qms_head_sign_the_closed_card_off(walk, responsible, qms):
    complaint = walk(None, State.CLOSED)
    mine = complaint_sign_off(complaint=complaint, actor=responsible, signatory=Signatory.RESPONSIBLE)
    theirs = complaint_sign_off(complaint=complaint, actor=qms, signatory=Signatory.QMS_HEAD)
    assert (mine.signed_by, theirs.signed_by) == (responsible, qms)
    assert mine.signed_at is not None
    events = complaint.events.filter(kind=EventKind.SIGN_OFF)
    assert [(e.actor, e.text) for e in events] == [
        (responsible, "Responsible person"), (qms, "Head of the quality management system"),
    ]


def test_a_card_is_signed_off_once_by_the_right_person_when_closed(walk, responsible, qms, executor):
    open_card = walk(None, State.ANSWERED)
    with pytest.raises(TransitionNotAllowed):
        complaint_sign_off(complaint=open_card, actor=responsible, signatory=Signatory.RESPONSIBLE)
    closed = walk(None, State.CLOSED)
    for actor, signatory in ((qms, Signatory.RESPONSIBLE), (responsible, Signatory.QMS_HEAD),
                             (executor, Signatory.RESPONSIBLE)):
        with pytest.raises(AccessDenied):
            complaint_sign_off(complaint=closed, actor=actor, signatory=signatory)
    complaint_sign_off(complaint=closed, actor=responsible, signatory=Signatory.RESPONSIBLE)
    with pytest.raises(TransitionNotAllowed):
        complaint_sign_off(complaint=closed, actor=responsible, signatory=Signatory.RESPONSIBLE)
    assert SignOff.objects.filter(complaint=closed).count() == 1


def test_reopening_takes_the_signatures_off_the_record(walk, responsible, qms):
    complaint = walk(None, State.CLOSED)
    complaint_sign_off(complaint=complaint, actor=responsible, signatory=Signatory.RESPONSIBLE)
    complaint_transition(complaint=complaint, name="reopen", actor=qms, comment="Клиент недоволен.")
    assert not complaint.sign_offs.exists()
    assert complaint.events.filter(kind=EventKind.SIGN_OFF).count() == 1  # the timeline keeps it


def test_the_card_page_signs_off(client, walk, responsible, qms):
    complaint = walk(None, State.CLOSED)
    client.force_login(responsible)
    soup = BeautifulSoup(client.get(url(complaint, "detail")).content, "html.parser")
    assert [b["data-sign-off"] for b in soup.select("#sign-offs button")] == ["responsible"]
    assert client.post(url(complaint, "sign_off_responsible")).status_code == 302
    client.force_login(qms)
    assert client.post(url(complaint, "sign_off_qms")).status_code == 302
    assert client.post(url(complaint, "sign_off_responsible")).status_code == 403
    assert set(complaint.sign_offs.values_list("signatory", flat=True)) == {"responsible", "qms_head"}


def test_the_printed_card_has_answer_measures_reports_component_supplier_closing_and_sign_offs(
    client, walk, responsible, qms,
):
    supplier = Supplier.objects.create(name="ООО «Пружина»")
    component = Component.objects.create(name="Пружина клапана", supplier=supplier)
    complaint = walk(None, State.CLOSED)
    Complaint.objects.filter(pk=complaint.pk).update(component=component, supplier=supplier)
    complaint_sign_off(complaint=complaint, actor=responsible, signatory=Signatory.RESPONSIBLE)
    client.force_login(qms)
    soup = BeautifulSoup(client.get(url(complaint, "print")).content, "html.parser")
    text = soup.get_text(" ")
    assert soup.select_one("#print-answer").get_text(strip=True) == "Товар заменён, приносим извинения."
    assert "Заменили." in text  # the executor's report
    assert soup.select_one("#print-component").get_text() == "Пружина клапана"
    assert soup.select_one("#print-supplier").get_text() == "ООО «Пружина»"
    assert "Closed on" in text and "Date of the answer" in text
    signed = soup.select("[data-signed]")
    assert [s["data-signed"] for s in signed] == ["responsible"]
    assert str(responsible) in signed[0].get_text()
    assert len(soup.select(".signatures .line")) == 2  # the QMS head's lines (name, date) are still blank


# ---------------------------------------------------------------------------------------------
# The acceptance note


@pytest.mark.parametrize("channel, offered", [
    (Channel.IN_PERSON, True), (Channel.LETTER, True), (Channel.FAX, True), (Channel.PHONE, False),
])
def test_the_card_links_the_acceptance_note_for_written_and_in_person_complaints(
    client, register, operator, channel, offered,
):
    complaint = register(channel=channel)
    client.force_login(operator)
    page = client.get(url(complaint, "detail")).content.decode()
    assert (url(complaint, "acceptance_note") in page) is offered


def test_the_acceptance_note_says_what_the_customer_needs(client, register, operator, manager):
    complaint = register(channel=Channel.IN_PERSON)
    client.force_login(operator)
    soup = BeautifulSoup(client.get(url(complaint, "acceptance_note")).content, "html.parser")
    assert soup.select_one("#note-number").get_text() == complaint.number
    text = soup.get_text(" ")
    assert "Иванов Иван Иванович" in text and complaint.wording[:20] in text and str(operator) in text
    tracking = soup.select_one("#note-tracking").get_text()
    assert tracking.endswith(f"/track/{complaint.number}/?code={complaint.tracking_code}")
    assert soup.select_one('link[rel=stylesheet]')["href"].endswith("print.css")
    # A manager reads the card but is not given the customer's tracking link.
    client.force_login(manager)
    soup = BeautifulSoup(client.get(url(complaint, "acceptance_note")).content, "html.parser")
    assert soup.select_one("#note-tracking") is None
