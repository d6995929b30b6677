"""The lifecycle signals: sent by the services inside their transaction, with their arguments;
timeline rows written without a service announce nothing."""

import ast
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.signals import post_save

from amends.complaints import signals
from amends.complaints.choices import Channel, EventKind, State
from amends.complaints.events import event_deadline_row, event_notification_row
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import (
    complaint_add_message,
    complaint_add_note,
    complaint_file_internal,
    complaint_log_call,
    complaint_receive_file,
    complaint_transition,
    complaint_update,
    measure_report,
)
from amends.core.bulk import insert_rows
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import Clock

ALL = [
    signals.complaint_registered, signals.complaint_transitioned, signals.complaint_changed,
    signals.customer_replied, signals.customer_contacted, signals.internal_complaint_filed,
    signals.measure_reported, signals.customer_file_received,
]


class Refused(Exception):
    pass


@contextmanager
def heard(*chosen):
    """Every sending of these signals (all by default) as (signal, kwargs), in order."""
    sent = []

    def receiver(sender, signal, **kwargs):
        assert sender is Complaint
        sent.append((signal, kwargs))

    for signal in chosen or ALL:
        signal.connect(receiver, weak=False, dispatch_uid="test_heard")
    try:
        yield sent
    finally:
        for signal in chosen or ALL:
            signal.disconnect(dispatch_uid="test_heard")


@contextmanager
def refusing(signal):
    """A receiver of `signal` that fails, and notes whether it ran inside a transaction."""
    seen = {}

    def receiver(sender, **kwargs):
        seen["in_atomic_block"] = transaction.get_connection().in_atomic_block
        raise Refused

    signal.connect(receiver, weak=False, dispatch_uid="test_refusing")
    try:
        yield seen
    finally:
        signal.disconnect(dispatch_uid="test_refusing")


def test_registration_announces_the_card_with_its_duplicate_search(register, operator):
    with heard() as sent:
        complaint = register(duplicates="caller")
    assert sent == [(signals.complaint_registered, {
        "complaint": complaint, "actor": operator, "duplicates": "caller", "acknowledge": False,
    })]


def test_a_transition_announces_the_change_then_the_step(register, qms, responsible):
    complaint = register()
    with heard() as sent:
        complaint = complaint_transition(
            complaint=complaint, name="assign", actor=qms, data={"responsible": responsible},
        )
    event = complaint.events.get(kind=EventKind.TRANSITION)
    assert sent == [
        (signals.complaint_changed, {
            "complaint": complaint, "actor": qms, "fields": frozenset({"responsible", "state"}),
        }),
        (signals.complaint_transitioned, {
            "complaint": complaint, "actor": qms, "transition": "assign",
            "from_state": State.REGISTERED, "to_state": State.ASSIGNED, "at": event.created_at,
            "awaits_delivery": False,
        }),
    ]


def test_an_edit_announces_the_fields_it_changed_and_nothing_when_nothing_changed(register, qms):
    complaint = register()
    with heard() as sent:
        complaint = complaint_update(complaint=complaint, actor=qms, changes={"wording": complaint.wording})
        complaint = complaint_update(
            complaint=complaint, actor=qms, changes={"wording": "Другой текст.", "project": "X"},
        )
    assert sent == [(signals.complaint_changed, {
        "complaint": complaint, "actor": qms, "fields": frozenset({"wording", "project"}),
    })]


def test_messages_and_calls_announce_who_spoke(register, operator):
    complaint = register()
    photo = SimpleUploadedFile("photo.jpg", b"jpeg", content_type="image/jpeg")
    with heard() as sent:
        reply = complaint_add_message(complaint=complaint, incoming=True, text="Жду ответа", attachments=[photo])
        answer = complaint_add_message(complaint=complaint, incoming=False, text="Отвечаем", actor=operator)
        call = complaint_log_call(complaint=complaint, actor=operator, text="Перезвонили")
        complaint_add_note(complaint=complaint, actor=operator, text="Только для своих")
    assert sent == [
        # With the files that came with it, stored by then.
        (signals.customer_replied, {"complaint": complaint, "event": reply,
                                    "attachments": [complaint.attachments.get(original_name="photo.jpg")]}),
        (signals.customer_contacted, {"complaint": complaint, "event": answer}),
        (signals.customer_contacted, {"complaint": complaint, "event": call}),
    ]


def test_a_file_received_later_is_announced_once(register):
    complaint = register()
    with heard() as sent:
        complaint_receive_file(complaint=complaint, reference="received-file:1:a", note="Not fetched.")
        complaint_receive_file(complaint=complaint, reference="received-file:1:a", note="Not fetched.")
    note = complaint.events.get(reference="received-file:1:a")
    assert sent == [(signals.customer_file_received, {"complaint": complaint, "event": note, "attachment": None})]


def test_a_measure_reported_done_is_announced_with_who_reported(walk, executor):
    complaint = walk(None, State.IN_PROGRESS)
    [measure] = complaint.measures.all()
    with heard(signals.measure_reported) as sent:
        measure = measure_report(measure=measure, actor=executor, report="Заменили.")
    assert sent == [(signals.measure_reported, {"complaint": measure.complaint, "measure": measure, "actor": executor})]


def test_an_internal_complaint_is_announced_as_filed(operator, make_user):
    from amends.accounts.models import Department

    department = Department.objects.create(name="Склад")
    with heard(signals.internal_complaint_filed, signals.complaint_registered) as sent:
        complaint = complaint_file_internal(actor=operator, department_concerned=department, wording="Опять.")
    assert [signal for signal, _kwargs in sent] == [signals.complaint_registered, signals.internal_complaint_filed]
    assert sent[1][1] == {"complaint": complaint}


def test_a_failing_receiver_rolls_back_the_registration(register):
    with refusing(signals.complaint_registered) as seen, pytest.raises(Refused):
        register()
    assert seen["in_atomic_block"]
    assert not Complaint.objects.exists() and not TimelineEvent.objects.exists()


def test_a_failing_receiver_rolls_back_the_transition(register, qms, responsible):
    complaint = register()
    with refusing(signals.complaint_transitioned), pytest.raises(Refused):
        complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
    complaint.refresh_from_db()
    assert (complaint.state, complaint.responsible, complaint.version) == (State.REGISTERED, None, 1)
    assert not complaint.events.exclude(kind=EventKind.REGISTERED).exists()


def test_a_failing_receiver_rolls_back_the_edit(register, qms):
    complaint = register()
    with refusing(signals.complaint_changed), pytest.raises(Refused):
        complaint_update(complaint=complaint, actor=qms, changes={"project": "X"})
    complaint.refresh_from_db()
    assert complaint.project == "" and not complaint.events.filter(kind=EventKind.FIELD_CHANGE).exists()


def test_a_logged_call_is_one_transaction_with_the_clock_it_meets(register, operator):
    complaint = register(channel=Channel.EMAIL)
    with refusing(signals.customer_contacted) as seen, pytest.raises(Refused):
        complaint_log_call(complaint=complaint, actor=operator, text="Перезвонили")
    assert seen["in_atomic_block"]
    assert not complaint.events.filter(kind=EventKind.CALL).exists()
    complaint_log_call(complaint=complaint, actor=operator, text="Перезвонили")
    first_response = Clock.objects.get(complaint=complaint, kind=ClockKind.FIRST_RESPONSE)
    assert first_response.met_at == complaint.events.get(kind=EventKind.CALL).created_at


def test_no_model_signal_carries_a_business_rule():
    assert not post_save.has_listeners(Complaint)
    assert not post_save.has_listeners(TimelineEvent)


def test_timeline_rows_written_in_bulk_announce_nothing_and_move_no_clock(register):
    complaint = register(channel=Channel.EMAIL)
    with heard() as sent:
        # Even rows of the kinds a service would announce: saving a row is not the announcement.
        TimelineEvent.objects.bulk_create([
            TimelineEvent(complaint=complaint, kind=EventKind.MESSAGE_OUT, text="по почте"),
            TimelineEvent(complaint=complaint, kind=EventKind.TRANSITION, transition="withdraw",
                          from_state=State.REGISTERED, to_state=State.WITHDRAWN),
        ])
        TimelineEvent.objects.create(complaint=complaint, kind=EventKind.CALL, text="звонок")
        insert_rows(TimelineEvent, [
            event_deadline_row(complaint.pk, "retimed", {"changes": []}),
            event_notification_row(complaint.pk, "Иванов"),
        ])
    assert sent == []
    assert not Clock.objects.filter(complaint=complaint).exclude(met_at=None, stopped_at=None).exists()


def test_complaints_imports_nothing_from_the_apps_that_react_to_it():
    root = Path(__file__).resolve().parents[1]
    higher = ("amends.deadlines", "amends.duplicates", "amends.notifications", "amends.intake")
    for path in [root / "events.py", root / "signals.py", *sorted((root / "services").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(higher), f"{path.name} imports {node.module}"
