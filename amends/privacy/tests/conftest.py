"""A customer with a history in every place personal data lands: a web-form card with a file and
its acknowledgement (in a mail file), an e-mail card, a message from the tracking page that
notified the responsible person, staff notes and answers naming her, the admin's log, and another
customer's card quoting her address."""

import os
from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.complaints.choices import Channel, Justification, Loyalty
from amends.complaints.models import Category, Cause, Complaint
from amends.complaints.services import complaint_add_note, complaint_register, complaint_transition
from amends.customers.models import Contact
from amends.customers.services import contact_create
from amends.intake.channels.email.services import email_receive
from amends.intake.channels.web_form.services import tracking_message_add
from amends.intake.identity import complaint_same_customer, contact_email_proven
from amends.intake.outbound import email_proof
from amends.intake.queue import inbound_process_queued

NAME, EMAIL, PHONE = "Анна Петрова", "anna.petrova@example.ru", "+7 912 000-11-22"
# Every spelling the erasure must leave nowhere (lower case: the search ignores case). "Anna Petrova" is
# the name her e-mail's From: line gave the provisional contact the card was moved from.
NEEDLES = [
    "анна петрова", "anna petrova", "петрова", "anna.petrova@example.ru", "912 000-11-22", "9120001122",
    "ул. садовая, 5",
]
WORDING = "Чайник протекает с первого дня. Звоните 8 (912) 000-11-22, Анна Петрова."
EMAIL_TEXT = "Второй чайник тоже течёт, прошу вернуть деньги. Анна."


@dataclass
class Person:
    contact: Contact
    web: Complaint
    mailed: Complaint
    other: Complaint


def _mail(subject: str, text: str) -> bytes:
    return (
        f"From: Anna Petrova <Anna.Petrova@example.ru>\r\nTo: complaints@amends.localhost\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{abs(hash(text))}@example.ru>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
    ).encode()


@pytest.fixture
def mail_files(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


@pytest.fixture
def person(db, client, operator, qms, responsible, administrator, mail_files, django_capture_on_commit_callbacks):
    settings_language = {"HTTP_ACCEPT_LANGUAGE": "ru"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/complain/", {
            "name": NAME, "email": "Anna.Petrova@example.ru", "phone": PHONE, "organisation": "",
            "order_reference": "ORD-4711", "text": WORDING, "consent": "on",
            "attachments": [SimpleUploadedFile("петрова-чек.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg")],
        }, **settings_language)
        assert response.status_code == 302
        while inbound_process_queued():
            pass
        web = Complaint.objects.get(channel=Channel.WEB_FORM)
        contact = web.contact
        # A public channel makes a provisional contact; she proves the address from the link mailed to her.
        assert contact.provisional and contact_email_proven(complaint=web, proof=email_proof(web, contact.email))
        Contact.objects.filter(pk=contact.pk).update(address="ул. Садовая, 5")
        email_receive(raw=_mail("Чайник", EMAIL_TEXT), source="mailbox")
        mailed = Complaint.objects.get(channel=Channel.EMAIL)
        # The e-mail got a provisional contact of its own ("Anna Petrova"): the head of the QMS confirms it is her.
        provisional = mailed.contact
        mailed = complaint_same_customer(complaint=mailed, contact=contact, actor=qms)
        assert not Contact.objects.filter(pk=provisional.pk).exists()

        category = Category.objects.filter(parent__isnull=False).first()
        web = complaint_transition(complaint=web, name="assign", actor=qms, data={"responsible": responsible})
        tracking_message_add(complaint=web, text="Анна Петрова: жду ответа, мой телефон 89120001122.", attachments=[])
        complaint_add_note(complaint=web, actor=responsible, text="Перезвонил Анне Петровой на +7 912 000-11-22.")
        web = complaint_transition(complaint=web, name="investigate", actor=responsible)
        web = complaint_transition(complaint=web, name="decide", actor=responsible, data={
            "justification": Justification.UNJUSTIFIED, "opinion": "Петрова неверно подключила чайник.",
            "category": category, "cause": Cause.objects.order_by("pk").first(),
        })
        web = complaint_transition(complaint=web, name="answer", actor=responsible, data={
            "answer_text": "Уважаемая Анна Петрова! Претензия не подтвердилась.",
        })
        web = complaint_transition(complaint=web, name="close", actor=responsible, data={
            "satisfaction": 4, "loyalty": Loyalty.RECOMMENDS,
        })

        boris = contact_create(full_name="Борис Гусев", email="boris@example.ru")
        other = complaint_register(
            actor=operator, channel=Channel.PHONE, contact=boris,
            wording="Соседка anna.petrova@example.ru посоветовала написать вам: утюг сломался.",
        )
    LogEntry.objects.log_actions(
        administrator.pk, [contact], CHANGE, change_message=f"Changed e-mail to {EMAIL}.", single_object=True,
    )
    assert ContentType.objects.get_for_model(Contact)
    return Person(contact=contact, web=web, mailed=mailed, other=other)


def media_files(root: str) -> list[str]:
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]
