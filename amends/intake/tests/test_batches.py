"""The worker registers stored submissions in batches: one transaction and one follow-up job a
batch, each card as if registered alone, a bad submission quarantined alone, and a batch cut short
leaving every submission to be registered again, one by one."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.core.queues import QUEUES
from amends.deadlines.models import Clock
from amends.duplicates.models import TextSignature
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.intake.queue import inbound_process_queued
from amends.intake.services import PARSERS, inbound_register_number, inbound_store_numbered, parser_for

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}

pytestmark = pytest.mark.usefixtures("reference_data_restored")


def stored(count: int, start: int = 0) -> list[InboundMessage]:
    return [
        inbound_store_numbered(channel=Channel.WEB_FORM, source="web_form", raw=json.dumps({
            "name": f"Клиент {n}", "email": f"client{n}@example.ru", "text": f"Жалоба case-{n}; чайник течёт.",
        }).encode())
        for n in range(start, start + count)
    ]


def card_shape(complaint: Complaint) -> tuple:
    """What registration leaves on a card, apart from its own number, text and times."""
    events = tuple(complaint.events.order_by("pk").values_list("kind", "code"))
    clocks = Clock.objects.filter(complaint=complaint).order_by("pk")
    clocks = tuple(clocks.values_list("kind", "basis", "level", "met_at"))
    return complaint.state, complaint.channel, events, clocks, complaint.contact.provisional


def parse_failing_on(text: str, error: BaseException):
    parse = parser_for(InboundMessage(source="web_form"))

    def parser(message):
        if text in message.raw.decode():
            raise error
        return parse(message)

    return parser


@override_settings(TASKS=DB_QUEUE)
def test_a_batch_is_one_follow_up_job_and_its_cards_are_like_one_registered_alone(transactional_db):
    [alone] = stored(1)
    assert inbound_register_number(alone.number)  # what a tracking read does: one card, on its own
    batch = stored(7, start=1)
    assert inbound_process_queued(limit=10) == 7
    cards = {card.number: card for card in Complaint.objects.select_related("contact").order_by("pk")}
    assert list(cards) == [alone.number] + [m.number for m in batch]  # numbers in the order received
    shape = card_shape(cards[alone.number])
    assert all(card_shape(cards[m.number]) == shape for m in batch)
    [job] = DBTaskResult.objects.filter(task_path="amends.intake.tasks.follow_up_registrations_task")
    assert [pk for pk, _language in job.args_kwargs["args"][0]] == [cards[m.number].pk for m in batch]
    # The worker's queue runs it: every card searched for duplicates and acknowledged once.
    from amends.jobs.worker import AmendsWorker

    AmendsWorker(interval=0).tick()
    assert TextSignature.objects.filter(complaint__number__in=[m.number for m in batch]).count() == 7
    acks = OutboundMessage.objects.filter(purpose="acknowledgement", complaint__number__in=[m.number for m in batch])
    assert acks.count() == 7 and not acks.filter(sent_at=None).exists()
    assert sorted(m.to[0] for m in mail.outbox if "client0@" not in m.to[0]) == sorted(
        f"client{n}@example.ru" for n in range(1, 8))


def test_a_bad_submission_in_a_batch_is_quarantined_and_the_rest_registered(transactional_db, monkeypatch):
    batch = stored(5)
    monkeypatch.setitem(PARSERS, "web_form", parse_failing_on("case-2;", ValueError("unreadable")))
    assert inbound_process_queued() == 5
    statuses = dict(InboundMessage.objects.values_list("number", "status"))
    assert statuses.pop(batch[2].number) == InboundStatus.QUARANTINED
    assert set(statuses.values()) == {InboundStatus.REGISTERED}
    assert Complaint.objects.count() == 4


class WorkerKilled(BaseException):
    """What a kill does to a batch: nothing after it runs, nothing of it is committed."""


@override_settings(AMENDS_INBOUND_CLAIM_TIMEOUT=120)
def test_a_batch_cut_short_is_registered_again_one_by_one_and_what_stops_it_is_quarantined_alone(
    transactional_db, monkeypatch,
):
    batch = stored(5)
    monkeypatch.setitem(PARSERS, "web_form", parse_failing_on("case-3;", WorkerKilled()))
    with pytest.raises(WorkerKilled):
        inbound_process_queued()
    # Nothing of the batch was committed, and no attempt is counted against each of its submissions.
    assert not Complaint.objects.exists()
    assert set(InboundMessage.objects.values_list("status", "attempts")) == {(InboundStatus.RECEIVED, 0)}
    later = timezone.now()
    for _kill in range(2):  # one by one, in order: those before the bad one are registered, its attempts counted
        later += timedelta(seconds=121)
        with time_machine.travel(later), pytest.raises(WorkerKilled):
            while inbound_process_queued():
                pass
    assert Complaint.objects.count() == 3
    with time_machine.travel(later + timedelta(seconds=121)), translation.override("en"):
        while inbound_process_queued():
            pass
    statuses = dict(InboundMessage.objects.values_list("number", "status"))
    assert statuses.pop(batch[3].number) == InboundStatus.QUARANTINED
    assert set(statuses.values()) == {InboundStatus.REGISTERED} and Complaint.objects.count() == 4
    assert "never finished" in InboundMessage.objects.get(number=batch[3].number).reason


@override_settings(TASKS=DB_QUEUE)
def test_a_batch_follows_up_its_cards_in_short_jobs(transactional_db):
    from amends.intake.queue import FOLLOW_UP_CARDS

    stored(2 * FOLLOW_UP_CARDS + 5)
    inbound_process_queued(limit=2 * FOLLOW_UP_CARDS + 5)
    jobs = DBTaskResult.objects.filter(task_path="amends.intake.tasks.follow_up_registrations_task")
    sizes = sorted(len(job.args_kwargs["args"][0]) for job in jobs)
    assert sizes == [5, FOLLOW_UP_CARDS, FOLLOW_UP_CARDS]


def customer_mail(number: int, *, reply_to: str = "", subject: str = "", attachment: bool = False) -> bytes:
    """A customer's e-mail; a reply names the Message-ID it answers."""
    head = [f"From: Клиент {number} <mail{number}@example.ru>", "To: complaints@shop.example",
            f"Subject: {subject or f'Жалоба mail-{number}'}", f"Message-ID: <mail-{number}@example.ru>",
            "MIME-Version: 1.0"]
    if reply_to:
        head += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
    text = f"Чайник mail-{number} течёт, прошу заменить."
    if not attachment:
        head.append("Content-Type: text/plain; charset=utf-8")
        return ("\r\n".join(head) + "\r\n\r\n" + text).encode()
    head.append('Content-Type: multipart/mixed; boundary="b"')
    return ("\r\n".join(head) + "\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text
            + f'\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename="photo{number}.jpg"'
            + "\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQ==\r\n--b--\r\n").encode()


def mail_card_shape(complaint: Complaint) -> tuple:
    """card_shape, with the files; without the acknowledgement, which a batch's cards get after the
    batch, and a card accepted alone (tests run jobs at once) before the replies that follow it."""
    state, channel, events, clocks, provisional = card_shape(complaint)
    events = tuple(event for event in events if event[0] != "acknowledgement")
    files = tuple(complaint.attachments.order_by("pk").values_list("content_type", "size"))
    return (state, channel, events, clocks, provisional), files


def test_mail_with_files_and_replies_in_a_batch_ends_as_mail_accepted_one_by_one(transactional_db):
    from amends.intake.channels.email.services import MAILGATE_SOURCE, email_receive, email_store

    # Alone: a card with a file; a card, a reply to it with a file, and a reply to that reply.
    for raw in (customer_mail(1, attachment=True), customer_mail(20),
                customer_mail(21, reply_to="<mail-20@example.ru>", attachment=True),
                customer_mail(22, reply_to="<mail-21@example.ru>"), customer_mail(10)):
        email_receive(raw=raw, source=MAILGATE_SOURCE)
    # In one batch: the same, and a reply to a card made before the batch, and a plain card.
    for raw in (customer_mail(3, attachment=True), customer_mail(4, reply_to="<mail-10@example.ru>"),
                customer_mail(5), customer_mail(6, reply_to="<mail-5@example.ru>", attachment=True),
                customer_mail(7, reply_to="<mail-6@example.ru>"), customer_mail(8)):
        email_store(raw=raw, source=MAILGATE_SOURCE)
    assert inbound_process_queued(limit=10) == 6

    status = dict(InboundMessage.objects.values_list("external_ref", "status"))
    card_of = dict(InboundMessage.objects.values_list("external_ref", "complaint__number"))
    assert [status[f"<mail-{n}@example.ru>"] for n in (3, 4, 5, 6, 7, 8)] == [
        InboundStatus.REGISTERED, InboundStatus.THREADED, InboundStatus.REGISTERED,
        InboundStatus.THREADED, InboundStatus.THREADED, InboundStatus.REGISTERED]
    assert card_of["<mail-4@example.ru>"] == card_of["<mail-10@example.ru>"]
    assert card_of["<mail-6@example.ru>"] == card_of["<mail-7@example.ru>"] == card_of["<mail-5@example.ru>"]
    numbers = [card_of[f"<mail-{n}@example.ru>"] for n in (3, 5, 8)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3  # in the order received
    cards = {card.number: card for card in Complaint.objects.select_related("contact")}

    def shape(n: int) -> tuple:
        return mail_card_shape(cards[card_of[f"<mail-{n}@example.ru>"]])

    assert shape(3) == shape(1) and shape(3)[1]  # a new card with its file
    assert shape(5) == shape(20) and shape(5)[1]  # replies with files, threaded in order
    assert shape(10)[0][2][-1][0] == "message_in"  # the reply to an older card is on it


@override_settings(TASKS=DB_QUEUE)
def test_a_batch_s_acknowledgements_are_queued_before_its_duplicate_search(transactional_db):
    from amends.intake.tasks import ACKNOWLEDGE_PRIORITY

    batch = stored(3)
    assert inbound_process_queued(limit=10) == 3
    numbers = [m.number for m in batch]
    cards = list(Complaint.objects.filter(number__in=numbers).order_by("pk").values_list("pk", flat=True))
    jobs = {job.task_path.rsplit(".", 1)[1]: job for job in DBTaskResult.objects.all()}
    acknowledge, search = jobs["acknowledge_registrations_task"], jobs["follow_up_registrations_task"]
    assert acknowledge.priority == ACKNOWLEDGE_PRIORITY > search.priority
    assert [pk for pk, language in acknowledge.args_kwargs["args"][0] if language] == cards
    assert search.args_kwargs["args"][0] == [[pk, ""] for pk in cards]  # the search acknowledges none

    # The worker takes the acknowledgements first: every customer has theirs before any search ran.
    from amends.jobs.worker import AmendsWorker

    worker = AmendsWorker(interval=0)
    assert worker.queue.run_at_most(1) == 1
    acks = OutboundMessage.objects.filter(purpose="acknowledgement", complaint_id__in=cards)
    assert acks.exclude(sent_at=None).count() == 3
    assert not TextSignature.objects.filter(complaint_id__in=cards).exists()
    worker.queue.run_at_most(10)
    assert TextSignature.objects.filter(complaint_id__in=cards).count() == 3 and acks.count() == 3


def test_a_batch_holds_the_numbers_before_it_threads_a_reply(transactional_db):
    """Two workers' batches lock the numbers and the cards replies continue in the same order: a
    batch that threaded a reply first would hold that card while waiting for the numbers, and the
    other batch, holding the numbers, may wait for the same card (PostgreSQL: a deadlock)."""
    from amends.intake.channels.email.services import MAILGATE_SOURCE, email_receive, email_store

    email_receive(raw=customer_mail(10), source=MAILGATE_SOURCE)
    for raw in (customer_mail(4, reply_to="<mail-10@example.ru>"), customer_mail(5)):
        email_store(raw=raw, source=MAILGATE_SOURCE)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert inbound_process_queued(limit=10) == 2

    first_write = next(i for i, sql in enumerate(statements) if sql.startswith(("INSERT", "UPDATE", "DELETE"))
                       and "intake_inboundmessage" not in sql)
    assert "complaints_numbersequence" in statements[first_write]
    assert InboundMessage.objects.get(external_ref="<mail-4@example.ru>").status == InboundStatus.THREADED
