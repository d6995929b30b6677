
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.complaints.choices import EventKind
from amends.notifications.models import Notification
from amends.notifications.services import NotificationSpec, notify, notify_many

TEMPLATE = "complaints/mail/internal_filed.txt"


def spec(user, complaint, key="k1", kind="internal_filed"):
    return NotificationSpec(user_id=user.pk, kind=kind, key=key, complaint_id=complaint.pk,
                            template=TEMPLATE, context={"extra": 1})


def test_the_same_user_and_key_twice_is_one_notification(qms, responsible, complaint):
    assert notify_many([spec(qms, complaint), spec(qms, complaint), spec(responsible, complaint)]) == 2
    assert notify_many([spec(qms, complaint), spec(responsible, complaint), spec(qms, complaint, "k2")]) == 1
    assert Notification.objects.filter(user=qms).count() == 2
    stored = Notification.objects.get(user=responsible)
    assert (stored.kind, stored.complaint, stored.template, stored.context) == (
        "internal_filed", complaint, TEMPLATE, {"extra": 1})
    assert (stored.read_at, stored.email_status) == (None, "pending")


def test_the_wrapper_takes_users_and_a_card(qms, manager, complaint):
    assert notify(users=[qms, manager], kind="internal_filed", key="x", complaint=complaint,
                  template=TEMPLATE) == 2
    assert notify(users=[qms, manager], kind="internal_filed", key="x", complaint=complaint,
                  template=TEMPLATE) == 0
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"qms", "manager"}


def test_no_specs_no_queries(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify_many([]) == 0


def _queries(specs) -> int:
    with CaptureQueriesContext(connection) as captured:
        notify_many(specs)
    return len(captured)


def test_queries_do_not_grow_with_the_number_of_notifications(make_user, complaint):
    users = [make_user(f"user{i}") for i in range(100)]
    few = _queries([spec(user, complaint, "few") for user in users[:10]])
    many_specs = [spec(user, complaint, "many") for user in users]
    many = _queries(many_specs)
    assert many == few
    assert Notification.objects.count() == 110


def test_a_card_timeline_names_the_recipients_once_per_batch(qms, manager, complaint):
    before = complaint.events.filter(kind=EventKind.NOTIFICATION).count()
    notify_many([spec(qms, complaint), spec(manager, complaint)])
    notify_many([spec(qms, complaint), spec(manager, complaint)])  # a retry: nothing new, no new event
    [event] = complaint.events.filter(kind=EventKind.NOTIFICATION)[before:]
    assert event.text == "Manager, Qms" and event.actor is None


def test_deadline_kinds_leave_the_timeline_to_the_deadline_sweep(qms, complaint):
    notify_many([spec(qms, complaint, kind="deadline_breached")])
    assert not complaint.events.filter(kind=EventKind.NOTIFICATION).exists()
    assert Notification.objects.filter(kind="deadline_breached").count() == 1


@pytest.mark.django_db
def test_a_notification_without_a_card(qms):
    assert notify_many([NotificationSpec(user_id=qms.pk, kind="report", key="weekly-1", complaint_id=None,
                                         template=TEMPLATE, context={})]) == 1
