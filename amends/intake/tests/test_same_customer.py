"""No hijacking a customer by typing their e-mail: a public submission is never filed under a known
contact; the card suggests them until an operator confirms or the customer proves the address."""

import re

import pytest
from django.core import mail

from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import Complaint
from amends.customers.models import Contact
from amends.intake.models import InboundStatus
from amends.intake.parsed import IncomingComplaint
from amends.intake.queue import inbound_process_queued
from amends.intake.services import inbound_process, inbound_store

HIJACK = {
    "name": "Мошенник", "email": "IVANOV@example.ru", "phone": "+7 900 000-00-01",
    "organisation": "", "text": "Отзываю все свои жалобы.", "consent": "on",
}


@pytest.fixture
def hijack_card(client, contact, django_capture_on_commit_callbacks):
    """A stranger's web-form complaint with the known customer's e-mail, registered and acknowledged."""
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/complain/", HIJACK).status_code == 302
        while inbound_process_queued():
            pass
    return Complaint.objects.get()


def test_a_web_form_with_a_known_customers_email_is_not_filed_under_them(hijack_card, contact):
    card_contact = hijack_card.contact
    assert card_contact != contact and card_contact.provisional
    assert card_contact.full_name == "Мошенник" and card_contact.email == "ivanov@example.ru"
    assert hijack_card.organisation is None  # not the known customer's company
    assert not contact.complaints.exists()


def test_a_typed_company_name_does_not_join_a_known_organisation(client, contact, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/complain/", HIJACK | {"email": "x@example.com", "organisation": contact.organisation.name})
        while inbound_process_queued():
            pass
    card = Complaint.objects.get()
    assert card.organisation is None and card.contact.organisation is None


def test_a_mail_from_a_known_customers_address_is_not_filed_under_them(db, contact):
    incoming = IncomingComplaint(channel=Channel.EMAIL, text="Подложное", name="Кто-то", email=contact.email)
    message = inbound_process(inbound_store(channel=Channel.EMAIL, source="email:box", raw=b"x")[0],
                              lambda stored: incoming)
    assert message.status == InboundStatus.REGISTERED
    assert message.complaint.contact != contact and message.complaint.contact.provisional


def test_a_later_public_submission_does_not_match_a_provisional_contact(
    hijack_card, client, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/complain/", HIJACK | {"name": "Другой"})
        while inbound_process_queued():
            pass
    second = Complaint.objects.exclude(pk=hijack_card.pk).get()
    assert second.contact != hijack_card.contact and second.contact.full_name == "Другой"


def test_the_card_suggests_the_known_customer_and_an_operator_confirms(hijack_card, contact, client, qms):
    provisional = hijack_card.contact
    client.force_login(qms)
    page = client.get(f"/complaints/{hijack_card.number}/").content.decode()
    assert "Possibly the same customer" in page or "Возможно, тот же клиент" in page
    assert str(contact.full_name) in page and f'name="contact" value="{contact.pk}"' in page

    response = client.post(f"/complaints/{hijack_card.number}/same-customer/", {"contact": contact.pk})
    assert response.status_code == 302
    hijack_card.refresh_from_db()
    assert hijack_card.contact == contact and hijack_card.organisation == contact.organisation
    change = hijack_card.events.get(kind=EventKind.FIELD_CHANGE, field="contact")
    assert change.actor == qms and change.new_value == str(contact)
    assert not Contact.objects.filter(pk=provisional.pk).exists()  # no card refers to it any more
    assert "same-customer" not in client.get(f"/complaints/{hijack_card.number}/").content.decode()


def test_only_a_suggested_contact_can_be_confirmed(hijack_card, client, qms):
    other = Contact.objects.create(full_name="Посторонний", email="other@example.ru")
    client.force_login(qms)
    response = client.post(f"/complaints/{hijack_card.number}/same-customer/", {"contact": other.pk})
    assert response.status_code == 400
    hijack_card.refresh_from_db()
    assert hijack_card.contact.provisional


def test_a_viewer_who_may_not_edit_sees_no_button_and_cannot_post(hijack_card, contact, client, manager):
    client.force_login(manager)
    assert f'value="{contact.pk}"' not in client.get(f"/complaints/{hijack_card.number}/").content.decode()
    client.post(f"/complaints/{hijack_card.number}/same-customer/", {"contact": contact.pk})
    hijack_card.refresh_from_db()
    assert hijack_card.contact.provisional


def _mailed_link(complaint: Complaint) -> str:
    ack = next(message for message in mail.outbox if complaint.number in message.subject)
    return re.search(r"https?://\S+/track/\S+", ack.body).group(0)


def test_the_link_shown_on_the_site_proves_nothing(hijack_card, client):
    # The thanks page shows the submitter the plain tracking link: it offers no confirmation.
    page = client.get(f"/track/{hijack_card.number}/", {"code": hijack_card.tracking_code})
    assert 'name="proof"' not in page.content.decode()
    hijack_card.refresh_from_db()
    assert hijack_card.contact.provisional


def test_the_customer_proves_the_address_with_the_mailed_link(hijack_card, contact, client):
    link = _mailed_link(hijack_card)
    assert "proof=" in link
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    # Opening the link alone changes nothing: mail scanners open links, and so may the real owner
    # of the address, curious about a complaint they never sent. It asks.
    page = client.get(path)
    assert page.status_code == 200 and 'name="proof"' in page.content.decode()
    hijack_card.refresh_from_db()
    assert hijack_card.contact.provisional
    proof = path.split("proof=", 1)[1]
    response = client.post(path, {"proof": proof})
    assert response.status_code == 302 and "proof" not in response["Location"]
    hijack_card.refresh_from_db()
    assert hijack_card.contact == contact
    assert hijack_card.events.filter(kind=EventKind.FIELD_CHANGE, field="contact", actor=None).exists()


def test_a_forged_proof_is_neither_offered_nor_accepted(hijack_card, client):
    path = f"/track/{hijack_card.number}/?code={hijack_card.tracking_code}&proof={'0' * 32}"
    assert 'name="proof"' not in client.get(path).content.decode()
    client.post(path, {"proof": "0" * 32})
    hijack_card.refresh_from_db()
    assert hijack_card.contact.provisional


def test_a_new_customer_who_proves_the_address_becomes_known(db, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/complain/", HIJACK | {"email": "new@example.ru"})
        while inbound_process_queued():
            pass
    card = Complaint.objects.get()
    path = "/" + _mailed_link(card).split("://", 1)[1].split("/", 1)[1]
    client.post(path, {"proof": path.split("proof=", 1)[1]})
    card.contact.refresh_from_db()
    assert not card.contact.provisional


def test_the_api_client_vouches_for_the_customer(db, contact):
    incoming = IncomingComplaint(channel=Channel.PHONE, text="Звонок", email=contact.email, identity_proven=True)
    message = inbound_process(inbound_store(channel=Channel.PHONE, source="api", raw=b"x")[0], lambda stored: incoming)
    assert message.complaint.contact == contact
