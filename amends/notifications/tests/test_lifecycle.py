"""Everyone in the process hears of the step that concerns them, once, after the commit, in their
language, and never of their own action."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from amends.accounts.roles import Role
from amends.complaints.choices import State
from amends.complaints.services import (
    complaint_add_message,
    complaint_receive_file,
    complaint_transition,
    measure_add,
    measure_report,
)
from amends.notifications.models import Notification
from amends.notifications.receivers import lifecycle_notifications_muted
from amends.notifications.rendering import render_notification


def notices(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", "complaint__number"))


def english(notification: Notification):
    notification.user.language = "en"
    return render_notification(notification)


def test_assigning_tells_the_responsible_person_not_the_one_who_assigned(committed, register, qms, responsible):
    card = register()
    committed(complaint_transition, complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    assert notices("assigned") == [("responsible", card.number)]
    subject = english(Notification.objects.get(kind="assigned")).subject
    assert subject == f"You are responsible for complaint {card.number}"

    committed(complaint_transition, complaint=card, name="assign", actor=qms, data={"responsible": qms})
    assert notices("assigned") == [("responsible", card.number)]  # the head took it: not told of it


def test_reassigning_tells_the_new_one_and_the_same_one_again_is_nothing(
    committed, register, qms, responsible, make_user,
):
    other = make_user("other", Role.RESPONSIBLE)
    card = register()
    committed(complaint_transition, complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    card = committed(complaint_transition, complaint=card, name="assign", actor=qms, data={"responsible": other})
    committed(complaint_transition, complaint=card, name="assign", actor=qms, data={"responsible": other})
    assert notices("assigned") == [("other", card.number), ("responsible", card.number)]


def test_a_rolled_back_step_tells_nobody(register, qms, responsible):
    card = register()
    complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    assert not Notification.objects.exists()  # the test's transaction never commits


def test_sending_measures_for_approval_tells_the_qms_heads(committed, walk, qms, make_user, responsible):
    other_head = make_user("head2", Role.QMS_HEAD)
    card = walk(None, State.DECIDED)
    measure_add(complaint=card, actor=responsible, description="Replace the kettle",
                executor=responsible, due_date=timezone.localdate() + timedelta(days=3))
    committed(complaint_transition, complaint=card, name="plan", actor=responsible)
    assert notices("plan_submitted") == [("head2", card.number), ("qms", card.number)]
    body = english(Notification.objects.get(kind="plan_submitted", user=other_head)).body
    assert "Replace the kettle" in body and "Responsible submitted the measures" in body


def test_approval_tells_each_executor_of_their_own_measures(committed, walk, qms, responsible, executor, make_user):
    second = make_user("executor2", Role.EXECUTOR)
    card = walk(None, State.DECIDED)
    due = timezone.localdate() + timedelta(days=5)
    for description, person in [("Replace the kettle", executor), ("Call the courier", second),
                                ("Check the batch", executor)]:
        measure_add(complaint=card, actor=responsible, description=description, executor=person, due_date=due)
    complaint_transition(complaint=card, name="plan", actor=responsible)
    committed(complaint_transition, complaint=card, name="approve", actor=qms)
    assert notices("measure_approved") == [("executor", card.number), ("executor2", card.number)]
    mine = english(Notification.objects.get(kind="measure_approved", user=executor))
    assert mine.subject == f"2 measures of complaint {card.number} are yours to carry out"
    assert "Replace the kettle" in mine.body and "Check the batch" in mine.body
    assert "Call the courier" not in mine.body


def test_a_measure_reported_done_tells_the_responsible_person(committed, walk, responsible, executor):
    card = walk(None, State.IN_PROGRESS)
    [measure] = card.measures.all()
    committed(measure_report, measure=measure, actor=executor, report="Replaced on Monday.")
    assert notices("measure_done") == [("responsible", card.number)]
    body = english(Notification.objects.get(kind="measure_done")).body
    assert "Replaced on Monday." in body and "Every measure is reported" in body


def test_the_responsible_person_reporting_their_own_measure_is_not_told(committed, walk, responsible):
    card = walk(None, State.DECIDED)
    measure_add(complaint=card, actor=responsible, description="Own work", executor=responsible,
                due_date=timezone.localdate() + timedelta(days=3))
    for name, actor in [("plan", responsible), ("approve", None)]:
        card = complaint_transition(complaint=card, name=name, actor=actor)
    measure = card.measures.get(description="Own work")
    committed(measure_report, measure=measure, actor=responsible, report="Done.")
    assert notices("measure_done") == []


def test_a_returned_plan_tells_the_responsible_person_why(committed, walk, qms):
    card = walk(None, State.DECIDED)
    card = walk(card, State.MEASURES_PLANNED)
    committed(complaint_transition, complaint=card, name="return_plan", actor=qms, comment="Add a due check.")
    assert notices("plan_returned") == [("responsible", card.number)]
    assert "Add a due check." in english(Notification.objects.get(kind="plan_returned")).body


def test_a_customer_message_tells_the_responsible_person_with_its_files(committed, walk):
    card = walk(None, State.INVESTIGATING)
    photo = SimpleUploadedFile("crack.jpg", b"jpeg", content_type="image/jpeg")
    committed(complaint_add_message, complaint=card, incoming=True, text="Here is a photo.", attachments=[photo])
    assert notices("customer_message") == [("responsible", card.number)]
    body = english(Notification.objects.get(kind="customer_message")).body
    assert "Here is a photo." in body and "crack.jpg" in body and "Nobody is responsible" not in body


def test_a_customer_message_to_an_unassigned_card_tells_the_qms_heads(committed, register, qms, make_user):
    make_user("gone", Role.QMS_HEAD, is_active=False)
    card = register()
    committed(complaint_add_message, complaint=card, incoming=True, text="Any news?")
    assert notices("customer_message") == [("qms", card.number)]
    assert "Nobody is responsible" in english(Notification.objects.get(kind="customer_message")).body


def test_a_customer_message_to_a_closed_card_still_tells(committed, walk):
    card = walk(None, State.CLOSED)
    committed(complaint_add_message, complaint=card, incoming=True, text="It broke again.")
    assert notices("customer_message") == [("responsible", card.number)]
    assert "(now: Closed)" in english(Notification.objects.get(kind="customer_message")).body


def test_our_own_message_out_tells_nobody(committed, walk, responsible):
    card = walk(None, State.INVESTIGATING)
    committed(complaint_add_message, complaint=card, incoming=False, text="We are on it.", actor=responsible)
    assert not Notification.objects.filter(kind="customer_message").exists()


def test_a_file_received_later_tells_the_responsible_person_once(committed, walk):
    card = walk(None, State.INVESTIGATING)
    committed(complaint_add_message, complaint=card, incoming=True, text="Photo follows.")
    upload = SimpleUploadedFile("late.jpg", b"jpeg", content_type="image/jpeg")
    committed(complaint_receive_file, complaint=card, reference="received-file:1:a",
              note="Received from the customer through Telegram: photo “late.jpg”.", upload=upload)
    committed(complaint_receive_file, complaint=card, reference="received-file:1:a", note="again")
    assert notices("customer_file") == [("responsible", card.number)]
    assert "late.jpg" in english(Notification.objects.get(kind="customer_file")).body


def test_a_file_of_the_registering_message_is_part_of_the_new_card(committed, register):
    card = register(actor=None)
    committed(complaint_receive_file, complaint=card, reference="received-file:2:a", note="A photo.")
    assert not Notification.objects.exists()


def test_replayed_history_is_not_announced(committed, register, qms, responsible):
    card = register()
    with lifecycle_notifications_muted():
        committed(complaint_transition, complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    assert not Notification.objects.exists()
