from datetime import timedelta

import pytest

from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import TimelineEvent
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import BusinessCalendar, DeadlinePolicy

from .conftest import clocks_of


def calendar_form(*hours: tuple[int, str, str]) -> dict:
    data = {
        "name": "Yerevan office", "country": "AM", "time_zone": "Asia/Yerevan",
        "hours-TOTAL_FORMS": str(len(hours)), "hours-INITIAL_FORMS": "0",
        "exceptions-TOTAL_FORMS": "0", "exceptions-INITIAL_FORMS": "0",
    }
    for i, (weekday, start, end) in enumerate(hours):
        data.update({f"hours-{i}-weekday": str(weekday), f"hours-{i}-start": start, f"hours-{i}-end": end})
    return data


@pytest.fixture
def admin_client(client, administrator):
    administrator.language = "en"
    administrator.save()
    client.force_login(administrator)
    return client


def test_a_calendar_with_overlapping_or_inverted_hours_is_refused(admin_client):
    url = "/admin/deadlines/businesscalendar/add/"
    overlapping = admin_client.post(url, calendar_form((0, "09:00", "13:00"), (0, "12:00", "18:00")))
    assert "Monday: the working hours 09:00–13:00 and 12:00–18:00 overlap." in overlapping.content.decode()
    inverted = admin_client.post(url, calendar_form((1, "18:00", "09:00")))
    assert "Tuesday: the working hours 18:00–09:00 end before they start." in inverted.content.decode()
    assert not BusinessCalendar.objects.filter(name="Yerevan office").exists()
    saved = admin_client.post(url, calendar_form((0, "09:00", "13:00"), (0, "14:00", "18:00")))
    assert saved.status_code == 302
    assert BusinessCalendar.objects.get(name="Yerevan office").hours.count() == 2


def test_a_policy_with_no_allowance_is_refused_in_the_admin(admin_client):
    response = admin_client.post("/admin/deadlines/deadlinepolicy/add/", {
        "clock": ClockKind.DECISION, "channel": Channel.FAX, "allowance": "0", "basis": "calendar", "is_active": "on",
    })
    assert "The allowance must be longer than zero." in response.content.decode()
    assert not DeadlinePolicy.objects.filter(channel=Channel.FAX, clock=ClockKind.DECISION).exists()


def test_the_recompute_action_applies_the_edited_policy_and_writes_the_timeline(admin_client, register):
    complaint = register(channel=Channel.EMAIL)
    DeadlinePolicy.objects.filter(clock=ClockKind.DECISION, importance="", investigation_only=False).update(
        allowance=timedelta(days=3),
    )
    changelist = "/admin/deadlines/carddeadlines/"
    assert complaint.number in admin_client.get(changelist).content.decode()
    response = admin_client.post(changelist, {"action": "recompute", "_selected_action": [complaint.pk]})
    assert response.status_code == 302
    assert clocks_of(complaint)[ClockKind.DECISION].allowance == timedelta(days=3)
    assert TimelineEvent.objects.filter(complaint=complaint, kind=EventKind.DEADLINE, code="recomputed").exists()
