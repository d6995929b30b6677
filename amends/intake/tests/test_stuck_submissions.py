"""No acknowledged submission is ever stuck: a claim left by a killed worker expires and is taken
over, the tracking link registers any stored submission, a form sent twice is one complaint, and a
mail whose sending was cut short is never sent again."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from amends.api.services import complaint_accept_from_api
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.intake.outbound import outbound_retry_failed, send_email
from amends.intake.queue import inbound_process_queued
from amends.intake.services import inbound_register_number, inbound_reprocess

from .test_web_form import URL, valid

pytestmark = pytest.mark.usefixtures("reference_data_restored")


@pytest.fixture
def submission(operator):
    """An API submission: a 201 and a number were given, the card is the worker's to register."""
    return complaint_accept_from_api(
        actor=operator, channel="email", text="Курьер опоздал на два часа.",
        customer={"name": "Орлова", "email": "orlova@example.ru"},
    )


def claimed_by_a_worker_that_died(message: InboundMessage, at=None) -> None:
    """What a worker killed after its claim and before its commit leaves behind."""
    claim = {"claimed_at": at} if at is not None else {}  # a claim of the code before claims expired had no time
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.RECEIVED, **claim)


def test_a_claim_without_a_time_left_by_a_killed_worker_is_taken_by_the_next_pass(submission):
    claimed_by_a_worker_that_died(submission)
    assert inbound_process_queued() == 1
    submission.refresh_from_db()
    assert submission.status == InboundStatus.REGISTERED
    assert Complaint.objects.get().number == submission.number


@override_settings(AMENDS_INBOUND_CLAIM_TIMEOUT=120)
def test_a_claim_is_left_to_its_worker_until_it_expires(submission):
    claimed_by_a_worker_that_died(submission, at=timezone.now())
    assert inbound_process_queued() == 0  # another worker's, perhaps still at work
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        assert inbound_process_queued() == 1
    submission.refresh_from_db()
    assert submission.status == InboundStatus.REGISTERED and submission.attempts == 1
    assert inbound_process_queued() == 0 and Complaint.objects.count() == 1


def test_the_worker_claims_with_a_time(submission, monkeypatch):
    seen = []
    monkeypatch.setattr("amends.intake.queue.inbound_process_batch", seen.extend)
    assert inbound_process_queued() == 1
    [message] = seen
    stored = InboundMessage.objects.get(pk=submission.pk)
    assert stored.status == InboundStatus.RECEIVED and stored.claimed_at == message.claimed_at is not None


@override_settings(AMENDS_INBOUND_CLAIM_TIMEOUT=120)
def test_a_locked_database_leaves_the_submission_for_later_not_in_quarantine(submission, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    # Both ways a card is written: a batch's together, and one alone (what a failed batch falls back to).
    monkeypatch.setattr("amends.intake.services.complaints_register_prepared", locked)
    monkeypatch.setattr("amends.intake.services.inbound_accept", locked)
    assert inbound_process_queued() == 1
    submission.refresh_from_db()
    assert submission.status == InboundStatus.RECEIVED and submission.reason == ""
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        assert inbound_process_queued() == 1
    assert Complaint.objects.get().number == submission.number


def test_the_tracking_link_registers_a_stuck_api_submission(client, submission):
    claimed_by_a_worker_that_died(submission)
    page = client.get(f"/track/{submission.number}/?code={submission.tracking_code}")
    assert page.status_code == 200 and "Курьер опоздал" in page.content.decode()
    assert Complaint.objects.get().number == submission.number
    assert client.get(f"/track/{submission.number}/?code=wrong").status_code == 404


def test_a_request_and_a_worker_racing_for_one_submission_make_one_card(
    db, english, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        english.post(URL, valid())
    stored = InboundMessage.objects.get()
    # The worker has claimed it; the customer's tracking link registers it first.
    claimed_by_a_worker_that_died(stored, at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_register_number(stored.number)
    # The worker goes on with the submission it had read before.
    stored.status = InboundStatus.RECEIVED
    with django_capture_on_commit_callbacks(execute=True):
        inbound_reprocess(stored)
    stored.refresh_from_db()
    assert stored.status == InboundStatus.REGISTERED and Complaint.objects.count() == 1
    assert len(mail.outbox) == 1


def token_of(page) -> str:
    return page.context["form"].initial["form_token"]


def test_the_form_sent_twice_with_its_token_is_one_complaint(db, english, django_capture_on_commit_callbacks):
    token = token_of(english.get(URL))
    with django_capture_on_commit_callbacks(execute=True):
        first = english.post(URL, valid(form_token=token))
        # The connection dropped before the answer came: the browser sends the same form again.
        again = english.post(URL, valid(form_token=token))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert InboundMessage.objects.count() == 1


def test_the_form_sent_again_while_the_worker_holds_it_shows_its_number(db, english):
    token = token_of(english.get(URL))
    first = english.post(URL, valid(form_token=token))
    claimed_by_a_worker_that_died(InboundMessage.objects.get(), at=timezone.now())  # being registered
    again = english.post(URL, valid(form_token=token))
    assert again.status_code == 302 and again["Location"] == first["Location"]


def test_each_form_has_its_own_token_and_it_is_in_the_page(db, english):
    first, second = english.get(URL), english.get(URL)
    assert token_of(first) != token_of(second)
    assert f'name="form_token" value="{token_of(first)}"' in first.content.decode()
    assert "no-cache" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]


def test_a_token_sent_with_other_words_or_malformed_makes_a_new_submission(
    db, english, django_capture_on_commit_callbacks,
):
    token = token_of(english.get(URL))
    with django_capture_on_commit_callbacks(execute=True):
        first = english.post(URL, valid(form_token=token))
        edited = english.post(URL, valid(form_token=token, text="Чайник протекает, и ещё сломана ручка."))
        english.post(URL, valid(form_token="short"))
        english.post(URL, valid(form_token="short"))
    assert first["Location"] != edited["Location"]
    assert InboundMessage.objects.count() == 4


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_mail_whose_sending_was_cut_short_is_never_sent_twice(complaint, monkeypatch):
    def killed_after_the_server_took_it(outbound):
        mail.outbox.append(outbound.subject)  # the server has it
        raise SystemExit  # and the process stops before `sent_at` is written

    monkeypatch.setattr("amends.intake.outbound.get_connection", lambda: type("Connection", (), {
        "open": lambda self: None, "close": lambda self: None,
        "send_messages": lambda self, messages: killed_after_the_server_took_it(messages[0]),
    })())
    with pytest.raises(SystemExit):
        send_email(complaint, recipient="ivanov@example.ru", subject="Ответ", text="Текст")
    monkeypatch.undo()
    outbound = OutboundMessage.objects.get()
    assert outbound.sent_at is None and outbound.attempts == 1
    assert outbound_retry_failed(older_than=timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_a_mail_never_tried_is_sent_by_the_retry(complaint):
    OutboundMessage.objects.create(
        complaint=complaint, channel="email", recipient="ivanov@example.ru", subject="s", body="b",
        message_id="<x@amends.localhost>",
    )
    assert outbound_retry_failed(older_than=timedelta(0)) == 1
    assert len(mail.outbox) == 1 and OutboundMessage.objects.get().sent_at is not None


def test_a_mail_server_that_cannot_be_reached_counts_an_attempt_and_is_retried_until_the_limit(complaint):
    with override_settings(EMAIL_BACKEND="amends.jobs.tests.backends.UnreachableBackend"):
        send_email(complaint, recipient="ivanov@example.ru", subject="Ответ", text="Текст")
        outbound = OutboundMessage.objects.get()
        assert (outbound.attempts, outbound.sent_at) == (1, None) and "no route" in outbound.error
        assert outbound_retry_failed(older_than=timedelta(0), max_attempts=3) == 0  # tried, failed again
        assert outbound_retry_failed(older_than=timedelta(0), max_attempts=3) == 0
        assert OutboundMessage.objects.get().attempts == 3
        assert outbound_retry_failed(older_than=timedelta(0), max_attempts=3) == 0
    assert OutboundMessage.objects.get().attempts == 3
    assert outbound_retry_failed(older_than=timedelta(0)) == 1 and len(mail.outbox) == 1
