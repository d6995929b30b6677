from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Cause, Complaint, TimelineEvent
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.models import Contact


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English, the source language; the default UI language is Russian."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def login(client, user):
    client.force_login(user)
    return client


def card_url(complaint, name="detail"):
    return reverse(f"complaints:{name}", args=[complaint.number])


def test_pages_require_login(client, complaint):
    for url in (reverse("complaints:list"), reverse("complaints:register"), card_url(complaint)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_signs_in(client, operator):
    response = client.post(reverse("login"), {"username": "operator", "password": "pw-operator"})
    assert response.status_code == 302
    assert client.get(reverse("complaints:list")).status_code == 200


def test_list_shows_visible_complaints_and_filters(client, qms, operator, complaint):
    complaint_register(actor=operator, channel=Channel.EMAIL, wording="Счёт выставлен дважды")
    response = login(client, qms).get(reverse("complaints:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2
    response = client.get(reverse("complaints:list"), {"channel": "email"})
    numbers = [c.number for c in response.context["page"]]
    assert complaint.number not in numbers and len(numbers) == 1
    response = client.get(reverse("complaints:list"), {"q": "Иванов"})
    assert [c.number for c in response.context["page"]] == [complaint.number]


def test_list_query_count_does_not_grow_with_rows(client, qms, operator, contact):
    login(client, qms)
    complaint_register(actor=operator, channel=Channel.PHONE, wording="one", contact=contact)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:list"))
    for i in range(15):
        complaint_register(actor=operator, channel=Channel.PHONE, wording=f"more {i}", contact=contact)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("complaints:list"))
    assert len(many) == len(few)


def test_operator_sees_only_own_complaints(client, operator, make_user, complaint):
    other = make_user("operator2", "operator")
    response = login(client, other).get(reverse("complaints:list"))
    assert response.context["page"].paginator.count == 0
    assert client.get(card_url(complaint)).status_code == 404


def test_register_with_new_customer(client, operator):
    response = login(client, operator).post(reverse("complaints:register"), {
        "channel": "phone", "received_at": "2026-03-02T10:15", "full_name": "Сидорова Анна",
        "phone": "8 (900) 555-44-33", "wording": "Курьер нагрубил", "importance": "high",
    })
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == card_url(complaint)
    assert complaint.number == "2026-000001"
    assert complaint.contact.phone_digits == "79005554433"
    assert complaint.registered_by == operator and complaint.channel == Channel.PHONE


def test_register_with_existing_customer(client, operator, contact):
    login(client, operator).post(reverse("complaints:register"), {
        "channel": "email", "received_at": "2026-03-02T10:15", "contact": contact.pk,
        "wording": "Не пришёл ответ", "importance": "medium",
    })
    assert Complaint.objects.get().contact == contact
    assert Contact.objects.count() == 1


def test_register_invalid_keeps_input_and_shows_errors(client, operator):
    response = login(client, operator).post(reverse("complaints:register"), {
        "channel": "phone", "received_at": "2026-03-02T10:15", "full_name": "Сидорова Анна",
        "phone": "", "email": "not-an-email", "wording": "", "importance": "medium",
    })
    assert response.status_code == 400
    form = response.context["form"]
    assert "wording" in form.errors and "email" in form.errors
    assert 'value="Сидорова Анна"' in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("name, size, message", [
    ("scan.pdf", 2 * 1024 * 1024 + 1, "larger than"),
    ("virus.exe", 10, "not accepted"),
])
def test_register_refuses_bad_attachment(client, operator, settings, name, size, message):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile(name, b"x" * size)
    response = login(client, operator).post(reverse("complaints:register"), {
        "channel": "letter", "received_at": "2026-03-02T10:15", "full_name": "Петров",
        "address": "Курск, ул. Ленина, 1", "wording": "Письмо", "importance": "medium",
        "attachments": [upload],
    })
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_register_letter_with_scan(client, operator):
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 scanned letter", content_type="application/pdf")
    login(client, operator).post(reverse("complaints:register"), {
        "channel": "letter", "received_at": "2026-03-02T10:15", "full_name": "Петров",
        "address": "Курск, ул. Ленина, 1", "wording": "Письмо", "importance": "medium",
        "attachments": [upload],
    })
    complaint = Complaint.objects.get()
    attachment = complaint.attachments.get()
    assert attachment.original_name == "letter.pdf"
    response = client.get(reverse("complaints:attachment", args=[complaint.number, attachment.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scanned letter"


def test_card_escapes_html_in_wording(client, operator):
    complaint = complaint_register(
        actor=operator, channel=Channel.WEB_FORM, wording='<script>alert("x")</script><b>bold</b>',
    )
    content = login(client, operator).get(card_url(complaint)).content.decode()
    assert "<script>alert" not in content and "&lt;script&gt;alert" in content
    assert "<b>bold</b>" not in content


def test_card_shows_only_allowed_actions(client, qms, operator, complaint):
    content = login(client, qms).get(card_url(complaint)).content.decode()
    assert 'data-transition="assign"' in content and 'data-transition="withdraw"' in content
    assert 'data-transition="investigate"' not in content
    content = login(client, operator).get(card_url(complaint)).content.decode()
    assert 'data-transition="assign"' not in content
    assert 'data-transition="mark_duplicate"' in content


def test_transition_through_the_card(client, qms, responsible, complaint):
    response = login(client, qms).post(
        reverse("complaints:transition", args=[complaint.number, "assign"]),
        {"assign-version": complaint.version, "assign-responsible": responsible.pk},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.ASSIGNED and complaint.responsible == responsible


def test_transition_missing_data_shows_error_and_changes_nothing(client, qms, complaint):
    response = login(client, qms).post(
        reverse("complaints:transition", args=[complaint.number, "withdraw"]),
        {"withdraw-version": complaint.version, "withdraw-comment": ""},
    )
    assert response.status_code == 400
    assert response.context["open_form"] == "withdraw"
    complaint.refresh_from_db()
    assert complaint.state == State.REGISTERED


def test_transition_by_wrong_role_is_forbidden(client, operator, complaint):
    response = login(client, operator).post(
        reverse("complaints:transition", args=[complaint.number, "withdraw"]),
        {"withdraw-version": complaint.version, "withdraw-comment": "no"},
    )
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.state == State.REGISTERED


def test_stale_transition_form_is_refused(client, qms, responsible, complaint):
    stale_version = complaint.version
    complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
    response = login(client, qms).post(
        reverse("complaints:transition", args=[complaint.number, "withdraw"]),
        {"withdraw-version": stale_version, "withdraw-comment": "дубль звонка"},
    )
    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.ASSIGNED


def test_stale_edit_is_refused_and_input_kept(client, qms, complaint):
    login(client, qms)
    url = reverse("complaints:edit", args=[complaint.number])
    form_data = {
        "version": complaint.version, "received_at": "2026-01-10T09:00", "channel": "phone",
        "origin": "external", "request_type": "complaint", "wording": "Уточнённая формулировка", "importance": "high",
    }
    assert client.post(url, form_data).status_code == 302
    complaint.refresh_from_db()
    assert complaint.wording == "Уточнённая формулировка" and complaint.importance == "high"
    assert complaint.events.filter(kind="field_change", field="wording").exists()
    response = client.post(url, {**form_data, "wording": "Вторая правка"})  # old version again
    assert response.status_code == 409
    assert "Вторая правка" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.wording == "Уточнённая формулировка"


def test_note_and_attachment_on_the_card(client, operator, complaint):
    login(client, operator)
    client.post(reverse("complaints:note", args=[complaint.number]), {"text": "Перезвонил клиенту"})
    assert complaint.events.filter(kind="note", text="Перезвонил клиенту").exists()
    upload = SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", content_type="image/jpeg")
    client.post(reverse("complaints:attach", args=[complaint.number]), {"file": upload})
    assert complaint.attachments.get().original_name == "photo.jpg"
    assert complaint.events.filter(kind="attachment").count() == 1


def test_a_call_to_the_customer_is_logged_on_the_timeline(client, operator, complaint):
    login(client, operator)
    page = client.get(card_url(complaint)).content.decode()
    assert "Log a call to the customer" in page
    response = client.post(card_url(complaint, "log_call"), {"call-text": "Called back, promised a courier"})
    assert response.status_code == 302
    assert complaint.events.filter(kind="call", actor=operator, text="Called back, promised a courier").exists()
    empty = client.post(card_url(complaint, "log_call"), {"call-text": "  "})
    assert empty.status_code == 400 and complaint.events.filter(kind="call").count() == 1


def _walk_to_decided(complaint, qms, responsible):
    complaint = complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
    complaint = complaint_transition(complaint=complaint, name="investigate", actor=responsible)
    return complaint_transition(complaint=complaint, name="decide", actor=responsible, data={
        "justification": Justification.JUSTIFIED, "opinion": "Курьер опоздал",
        "cause": Cause.objects.get(kind="logistics"),
    })


def test_measure_add_and_report_through_the_card(client, qms, responsible, executor, complaint):
    complaint = _walk_to_decided(complaint, qms, responsible)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = login(client, responsible).post(reverse("complaints:measure_add", args=[complaint.number]), {
        "description": "Доставить заказ повторно", "executor": executor.pk, "due_date": due,
    })
    assert response.status_code == 302
    measure = complaint.measures.get()
    complaint = complaint_transition(complaint=complaint, name="plan", actor=responsible)
    complaint_transition(complaint=complaint, name="approve", actor=qms)
    response = login(client, executor).post(
        reverse("complaints:measure_report", args=[complaint.number, measure.pk]), {"report": "Доставлено"},
    )
    measure.refresh_from_db()
    assert measure.is_done and measure.report == "Доставлено"
    content = client.get(card_url(complaint)).content.decode()
    assert 'data-transition="complete"' in content


def test_an_added_measure_is_confirmed_on_the_card(client, qms, responsible, executor, complaint):
    complaint = _walk_to_decided(complaint, qms, responsible)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = login(client, responsible).post(reverse("complaints:measure_add", args=[complaint.number]), {
        "description": "Доставить заказ повторно", "executor": executor.pk, "due_date": due,
    }, follow=True)
    assert response.redirect_chain == [(card_url(complaint), 302)]
    assert [str(message) for message in response.context["messages"]] == ["Measure added."]
    assert "Measure added." in response.content.decode()


def test_measure_with_past_due_date_is_refused(client, qms, responsible, executor, complaint):
    complaint = _walk_to_decided(complaint, qms, responsible)
    response = login(client, responsible).post(reverse("complaints:measure_add", args=[complaint.number]), {
        "description": "Поздно", "executor": executor.pk, "due_date": "2020-01-01",
    })
    assert response.status_code == 400
    assert not complaint.measures.exists()


def test_printable_card_has_all_sections_and_signature_lines(client, qms, complaint):
    content = login(client, qms).get(card_url(complaint, "print")).content.decode()
    assert complaint.number in content
    for label in ("Contact person", "Responsible person", "Cause of the complaint", "Customer satisfaction",
                  "Head of the quality management system"):
        assert label in content
    assert content.count('class="line"') == 2


def test_card_page_query_count_is_bounded(client, qms, responsible, complaint):
    complaint = _walk_to_decided(complaint, qms, responsible)
    login(client, qms)
    with CaptureQueriesContext(connection) as before:
        client.get(card_url(complaint))
    for i in range(10):
        TimelineEvent.objects.create(complaint=complaint, kind="note", actor=qms, text=f"note {i}")
    with CaptureQueriesContext(connection) as after:
        client.get(card_url(complaint))
    assert len(after) == len(before)


def test_any_employee_files_an_internal_complaint_routed_to_the_qms_head(
    client, executor, qms, django_capture_on_commit_callbacks,
):
    from django.core import mail

    from amends.accounts.models import Department
    from amends.notifications.delivery import notifications_deliver

    qms.email = "qms@example.ru"
    qms.save()
    delivery = Department.objects.create(name="Служба доставки")
    login(client, executor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complaints:file_internal"), {
            "department_concerned": delivery.pk, "employee_concerned": "Курьер Петров",
            "wording": "Обещал перезвонить клиенту и не перезвонил", "importance": "high",
        })
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == card_url(complaint)
    assert (complaint.channel, complaint.origin, complaint.registered_by) == ("internal", "internal", executor)
    assert complaint.department_concerned == delivery
    assert client.get(card_url(complaint)).status_code == 200  # the author sees it
    notifications_deliver()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["qms@example.ru"]
    assert complaint.number in mail.outbox[0].subject and card_url(complaint) in mail.outbox[0].body


def test_internal_complaint_needs_a_department(client, executor):
    response = login(client, executor).post(reverse("complaints:file_internal"), {"wording": "x", "importance": "low"})
    assert response.status_code == 400 and "department_concerned" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_write_to_the_customer_from_the_card(client, qms, complaint, django_capture_on_commit_callbacks):
    from django.core import mail

    content = login(client, qms).get(card_url(complaint)).content.decode()
    assert "ivanov@example.ru" in content and 'id="id_customer-text"' in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:message_customer", args=[complaint.number]),
                               {"customer-text": "Курьер привезёт заказ сегодня до 18:00."})
    assert response.status_code == 302
    assert complaint.events.filter(kind="message_out", text="Курьер привезёт заказ сегодня до 18:00.").exists()
    assert mail.outbox[-1].to == ["ivanov@example.ru"]
    response = client.post(reverse("intake:message_customer", args=[complaint.number]), {"customer-text": ""})
    assert response.status_code == 400


def test_the_weekly_summary_is_in_the_menu_of_those_who_oversee(client, operator, qms, manager):
    for user, shown in ((operator, False), (qms, True), (manager, True)):
        page = login(client, user).get(reverse("complaints:list")).content.decode()
        assert (reverse("reports:weekly") in page) is shown, user.username


def test_a_card_still_in_the_intake_pipeline_opens_at_once(client, qms):
    from amends.intake.services import inbound_store_numbered

    submission = inbound_store_numbered(channel=Channel.WEB_FORM, source="web_form", raw=(
        '{"name": "Анна", "email": "anna@example.ru", "text": "Крышка треснула."}'
    ).encode())
    assert not Complaint.objects.exists()
    response = login(client, qms).get(card_url(submission))
    assert response.status_code == 200 and "Крышка треснула." in response.content.decode()
    assert Complaint.objects.get().number == submission.number
    assert login(client, qms).get(reverse("complaints:detail", args=["2026-999999"])).status_code == 404


@pytest.mark.parametrize("path", [
    "/complaints/a\x00b/", "/complaints/2026-000001\x00/print/", "/complaints/' OR 1=1--/edit/",
    "/complaints/%/note/", "/deadlines/\x00/waiting/", "/track/2026-000001\x00/", "/complain/thanks/x/",
])
def test_a_path_that_is_no_card_number_is_404_before_any_query(client, qms, path):
    # PostgreSQL refuses a NUL in a query: looking such a number up answered 500 on every card page.
    with pytest.raises(Resolver404):
        resolve(path)
    client.force_login(qms)
    assert client.get(path.replace("\x00", "%00")).status_code == 404
