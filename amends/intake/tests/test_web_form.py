"""The public complaint form: registration through the intake pipeline, consent, anti-abuse."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from amends.complaints.choices import Channel, EventKind, State
from amends.complaints.models import Attachment, Complaint
from amends.core.queues import QUEUES
from amends.intake.channels.web_form.forms import CONSENT_TEXT
from amends.intake.channels.web_form.ratelimit import Rate, parse_rate
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.queue import inbound_process_queued

URL = "/complain/"


def valid(**changes) -> dict:
    data = {
        "name": "Анна Петрова", "email": "Anna.Petrova@example.ru", "phone": "+7 912 000-11-22",
        "organisation": "ООО «Ромашка»", "order_reference": "ORD-4711",
        "text": "Чайник протекает с первого дня.\nПрошу заменить.", "consent": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def submit(client, data, capture, **extra):
    """Post the form, then do what the worker does next: register the cards of the stored submissions."""
    with capture(execute=True):
        response = client.post(URL, data, **extra)
        while inbound_process_queued():
            pass
    return response


def test_route_name():
    assert reverse("web_form:complain") == URL


@pytest.mark.parametrize(("language", "phone_label"), [("ru", "Телефон"), ("en", "Phone"), ("hy", "Հեռախոս")])
def test_form_opens_in_each_language_with_a_switch(db, client, language, phone_label):
    response = client.get(URL, {"lang": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html and phone_label in html
    assert f'hreflang="{language}" aria-current="true"' in html
    for other in ("ru", "en", "hy"):
        assert f"lang={other}" in html
    assert 'type="checkbox" name="consent"' in html and 'name="website"' in html
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    # The chosen language stays for the next page without the parameter.
    assert f'<html lang="{language}">' in client.get(URL).content.decode()


def test_form_needs_no_login(db, client):
    assert client.get(URL).status_code == 200


def test_valid_submission_registers_a_web_form_card_and_acknowledges_it(
    db, english, django_capture_on_commit_callbacks,
):
    photo = SimpleUploadedFile("leak.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
    invoice = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")
    before = timezone.now()
    response = submit(english, valid(attachments=[photo, invoice]), django_capture_on_commit_callbacks)

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complain/thanks/{complaint.number}/?code={complaint.tracking_code}"
    assert complaint.channel == Channel.WEB_FORM and complaint.state == State.REGISTERED
    assert complaint.registered_by is None
    assert complaint.wording == "Чайник протекает с первого дня.\nПрошу заменить."
    assert complaint.order_reference == "ORD-4711"
    assert complaint.consent_text == str(CONSENT_TEXT) and "personal data" in complaint.consent_text
    assert before <= complaint.consent_at <= timezone.now()
    contact = complaint.contact
    assert contact.full_name == "Анна Петрова" and contact.email == "anna.petrova@example.ru"
    assert contact.phone == "+7 912 000-11-22" and complaint.organisation.name == "ООО «Ромашка»"
    assert sorted(Attachment.objects.filter(complaint=complaint).values_list("original_name", flat=True)) \
        == ["invoice.pdf", "leak.jpg"]

    stored = InboundMessage.objects.get()
    assert stored.channel == Channel.WEB_FORM and stored.source == "web_form"
    assert stored.status == InboundStatus.REGISTERED and stored.complaint == complaint
    raw = json.loads(bytes(stored.raw))
    assert raw["text"] == complaint.wording and raw["consent_text"] == complaint.consent_text
    assert [item["name"] for item in raw["attachments"]] == ["leak.jpg", "invoice.pdf"]

    [ack] = mail.outbox
    link = f"https://complaints.example.com/track/{complaint.number}/?code={complaint.tracking_code}"
    assert ack.to == ["anna.petrova@example.ru"] and complaint.number in ack.subject
    assert link in ack.body

    thanks = english.get(response["Location"])
    assert thanks.status_code == 200
    assert complaint.number in thanks.content.decode() and link in thanks.content.decode()
    assert "sent the number and the link to your e-mail" in thanks.content.decode()


def test_a_submission_is_answered_once_stored_with_its_number_and_its_card_follows(
    db, english, process_queued, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(URL, valid())
    stored = InboundMessage.objects.get()
    assert stored.status == InboundStatus.QUEUED and stored.number and not Complaint.objects.exists()
    assert response["Location"] == f"/complain/thanks/{stored.number}/?code={stored.tracking_code}"
    # The thanks page needs no card: the number, the link and the address are in the submission.
    thanks = english.get(response["Location"]).content.decode()
    assert stored.number in thanks and f"/track/{stored.number}/?code={stored.tracking_code}" in thanks
    assert "sent the number and the link to your e-mail" in thanks
    assert english.get(f"/complain/thanks/{stored.number}/?code=wrong").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        assert process_queued() == 1
    complaint = Complaint.objects.get()
    assert (complaint.number, complaint.tracking_code) == (stored.number, stored.tracking_code)
    assert complaint.received_at == stored.received_at and complaint.channel == Channel.WEB_FORM
    [ack] = mail.outbox
    assert complaint.number in ack.subject and stored.tracking_code in ack.body


def test_the_tracking_link_registers_a_waiting_card_at_once(db, english, process_queued):
    first = english.post(URL, valid())
    second = english.post(URL, valid(text="Вторая жалоба: крышка не закрывается."))
    waiting = InboundMessage.objects.order_by("pk").last()
    assert english.get(f"/track/{waiting.number}/?code=wrong").status_code == 404
    assert not Complaint.objects.exists()
    page = english.get(first["Location"].replace("/complain/thanks/", "/track/"))
    assert page.status_code == 200 and "Чайник протекает" in page.content.decode()
    assert Complaint.objects.count() == 1
    assert second.status_code == 302 and process_queued() == 1 and Complaint.objects.count() == 2


def test_consent_text_is_stored_in_the_language_shown(db, client, django_capture_on_commit_callbacks):
    submit(client, valid(), django_capture_on_commit_callbacks, QUERY_STRING="lang=hy")
    with translation.override("hy"):
        assert Complaint.objects.get().consent_text == str(CONSENT_TEXT)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}})
def test_the_acknowledgement_is_queued_in_the_language_the_visitor_wrote_in(db, client,
                                                                           django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from amends.intake.tasks import acknowledge_registrations_task

    submit(client, valid(), django_capture_on_commit_callbacks, QUERY_STRING="lang=hy")
    complaint = Complaint.objects.get()
    queued = DBTaskResult.objects.get(task_path="amends.intake.tasks.acknowledge_registrations_task")
    assert queued.args_kwargs["args"] == [[[complaint.pk, "hy"]]] and mail.outbox == []
    # The worker runs it later, whatever language is active there.
    with translation.override("ru"):
        acknowledge_registrations_task.call(*queued.args_kwargs["args"])
    with translation.override("hy"):
        expected = str(gettext("Your complaint is registered under No. %(number)s") % {"number": complaint.number})
    [ack] = mail.outbox
    assert expected in ack.subject


def test_phone_only_registers_without_mail(db, english, django_capture_on_commit_callbacks):
    response = submit(english, valid(email=""), django_capture_on_commit_callbacks)
    complaint = Complaint.objects.get()
    assert complaint.contact.phone == "+7 912 000-11-22" and complaint.contact.email == ""
    assert mail.outbox == []
    assert "You gave no e-mail" in english.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"consent": None}, "consent", "This field is required."),
    ({"email": "", "phone": ""}, "email", "Give an e-mail or a phone number"),
    ({"text": "  "}, "text", "This field is required."),
    ({"name": ""}, "name", "This field is required."),
    ({"email": "not-an-address"}, "email", "Enter a valid email address."),
    ({"phone": "call me"}, "phone", "Enter a phone number"),
    ({"order_reference": "x" * 101}, "order_reference", "at most 100 characters"),
])
def test_invalid_submission_shows_errors_beside_fields_and_keeps_input(
    db, english, changes, field, message, django_capture_on_commit_callbacks,
):
    response = submit(english, valid(**changes), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert "Please correct the fields marked below." in html and "has-error" in html
    for name, value in valid().items():  # what was typed stays
        if name not in changes and name != "consent":
            assert value in html
    assert not Complaint.objects.exists() and not InboundMessage.objects.exists()
    assert mail.outbox == []


def test_honeypot_pretends_success_and_stores_nothing(db, english, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.WARNING):
        response = submit(english, valid(website="http://spam.example"), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Thank you, we have received your complaint" in response.content.decode()
    assert not Complaint.objects.exists() and not InboundMessage.objects.exists() and mail.outbox == []
    assert any("honeypot" in record.getMessage() for record in caplog.records)


@override_settings(AMENDS_WEB_FORM_RATE="2/10m")
def test_rate_limit_answers_429_with_a_readable_page(db, english, django_capture_on_commit_callbacks):
    window_start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # windows are aligned to multiples of 600 s
    with time_machine.travel(window_start, tick=False) as clock:
        for _ in range(2):
            assert submit(english, valid(), django_capture_on_commit_callbacks).status_code == 302
        response = submit(english, valid(), django_capture_on_commit_callbacks)
        assert response.status_code == 429 and response["Retry-After"] == "600"
        html = response.content.decode()
        assert "Please try again later" in html and "in about 10 minutes." in html and "<html" in html
        clock.move_to(window_start + timedelta(minutes=9, seconds=30))
        response = submit(english, valid(), django_capture_on_commit_callbacks)
        assert response["Retry-After"] == "30" and "in about 1 minute." in response.content.decode()
    assert Complaint.objects.count() == 2
    # Another address is not held back.
    other = submit(english, valid(), django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302 and Complaint.objects.count() == 3


@override_settings(AMENDS_WEB_FORM_RATE="1/10m")
def test_honeypot_hits_count_towards_the_limit(db, english, django_capture_on_commit_callbacks):
    submit(english, valid(website="spam"), django_capture_on_commit_callbacks)
    assert submit(english, valid(), django_capture_on_commit_callbacks).status_code == 429


@override_settings(AMENDS_WEB_FORM_RATE="1/10m")
def test_mistakes_do_not_use_up_the_limit(db, english, django_capture_on_commit_callbacks):
    for _ in range(3):
        assert submit(english, valid(consent=None), django_capture_on_commit_callbacks).status_code == 400
    assert submit(english, valid(), django_capture_on_commit_callbacks).status_code == 302


@override_settings(AMENDS_WEB_FORM_RATE="off")
def test_rate_limit_can_be_switched_off(db, english, django_capture_on_commit_callbacks):
    for _ in range(7):
        assert submit(english, valid(), django_capture_on_commit_callbacks).status_code == 302


@override_settings(AMENDS_WEB_FORM_RATE="2/10m", AMENDS_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(db, english, django_capture_on_commit_callbacks):
    for client_address in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
        response = submit(english, valid(), django_capture_on_commit_callbacks,
                          HTTP_X_FORWARDED_FOR=f"1.1.1.1, {client_address}")
        assert response.status_code == 302
    assert submit(english, valid(), django_capture_on_commit_callbacks,
                  HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429


@pytest.mark.parametrize(("text", "rate"), [
    ("5/10m", Rate(5, 600)), ("100/m", Rate(100, 60)), ("3/1h", Rate(3, 3600)), (" 10 / 30s ", Rate(10, 30)),
    ("off", None), ("0", None), ("", None), (None, None),
])
def test_rate_setting_format(text, rate):
    assert parse_rate(text) == rate


def test_a_malformed_rate_setting_is_an_error():
    with pytest.raises(ValueError):
        parse_rate("five a minute")


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Ivan\r\nBcc: victim@example.com"),
    ("name", "Ivan\nContent-Type: text/html"),
    ("email", "anna@example.ru\r\nBcc: victim@example.com"),
    ("email", "anna@example.ru\n"),
    ("phone", "+7 912\r\n000-11-22"),
    ("organisation", "Acme\x00"),
])
def test_header_injection_attempt_is_refused(db, english, field, value, django_capture_on_commit_callbacks):
    response = submit(english, valid(**{field: value}), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Complaint.objects.exists() and not InboundMessage.objects.exists() and mail.outbox == []


@override_settings(AMENDS_ATTACHMENT_MAX_BYTES=1024)
def test_oversized_attachment_is_refused(db, english, django_capture_on_commit_callbacks):
    big = SimpleUploadedFile("scan.pdf", b"x" * 2048, content_type="application/pdf")
    response = submit(english, valid(attachments=[big]), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "larger than" in " ".join(response.context["form"].errors["attachments"])
    assert "choose them again" in response.content.decode()
    assert not Complaint.objects.exists() and not InboundMessage.objects.exists()


def test_a_real_50_mb_upload_is_refused_cleanly(db, english, django_capture_on_commit_callbacks):
    huge = SimpleUploadedFile("video.zip", b"\0" * (50 * 1024 * 1024), content_type="application/zip")
    response = submit(english, valid(attachments=[huge]), django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "larger than 20 MB" in response.content.decode()
    assert not Complaint.objects.exists()


def test_forbidden_file_type_is_refused(db, english, django_capture_on_commit_callbacks):
    program = SimpleUploadedFile("invoice.exe", b"MZ", content_type="application/octet-stream")
    response = submit(english, valid(attachments=[program]), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "“exe” are not accepted" in " ".join(response.context["form"].errors["attachments"])
    assert not Complaint.objects.exists()


@override_settings(AMENDS_WEB_FORM_MAX_FILES=2)
def test_too_many_files_are_refused(db, english, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile(f"p{i}.png", b"png", content_type="image/png") for i in range(3)]
    response = submit(english, valid(attachments=files), django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "at most 2 files" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_submission_that_cannot_be_registered_is_kept_in_quarantine(
    db, english, monkeypatch, django_capture_on_commit_callbacks,
):
    from amends.intake import services as pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("database said no")

    monkeypatch.setattr(pipeline, "complaint_register", broken)
    monkeypatch.setattr(pipeline, "complaints_register_prepared", broken)
    # Without files the visitor has their number before the card is made: the worker meets the error.
    response = submit(english, valid(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    stored = InboundMessage.objects.get()
    assert stored.status == InboundStatus.QUARANTINED and "database said no" in stored.reason
    assert json.loads(bytes(stored.raw))["name"] == "Анна Петрова"
    # The tracking link the visitor was given says so, rather than "not found".
    tracking = english.get(response["Location"].replace("/complain/thanks/", "/track/"))
    assert tracking.status_code == 200
    assert f"Its number is {stored.number}. We are still registering it" in tracking.content.decode()
    assert english.get(f"/track/{stored.number}/?code=wrong").status_code == 404
    # With files the card is made at once, so the visitor hears that it will be registered shortly.
    photo = SimpleUploadedFile("leak.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
    response = submit(english, valid(attachments=[photo]), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "We will register it shortly" in response.content.decode()
    assert InboundMessage.objects.filter(status=InboundStatus.QUARANTINED).count() == 2


def test_quarantined_submission_can_be_processed_again_without_its_files(
    db, english, monkeypatch, django_capture_on_commit_callbacks,
):
    from amends.intake import services as pipeline
    from amends.intake.services import inbound_reprocess

    real = pipeline.complaint_register
    monkeypatch.setattr(pipeline, "complaint_register", lambda **kwargs: 1 / 0)
    submit(english, valid(), django_capture_on_commit_callbacks)
    monkeypatch.setattr(pipeline, "complaint_register", real)
    stored = InboundMessage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = inbound_reprocess(stored)
    assert again.status == InboundStatus.REGISTERED
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB_FORM and complaint.consent_text == str(CONSENT_TEXT)
    assert abs(complaint.consent_at - stored.received_at) < timedelta(seconds=5)
    assert complaint.events.filter(kind=EventKind.REGISTERED).exists() and len(mail.outbox) == 1


def test_without_a_base_url_the_thanks_page_links_the_host_the_visitor_used(
    db, english, settings, django_capture_on_commit_callbacks,
):
    settings.AMENDS_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["care.shop.example"]
    response = submit(english, valid(), django_capture_on_commit_callbacks, HTTP_HOST="care.shop.example:8001")
    thanks = english.get(response["Location"], HTTP_HOST="care.shop.example:8001").content.decode()
    stored = InboundMessage.objects.get()
    assert f"http://care.shop.example:8001/track/{stored.number}/?code={stored.tracking_code}" in thanks
