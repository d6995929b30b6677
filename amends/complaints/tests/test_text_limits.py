"""The card's forms take texts as long as the web form's complaint, no longer: a megabyte note
would otherwise be stored and shown to everyone who opens the card."""

import pytest
from django.urls import reverse

from amends.complaints.inputs import TEXT_MAX_LENGTH

TOO_LONG = "x" * (TEXT_MAX_LENGTH + 1)


@pytest.mark.parametrize(("route", "field", "kind"), [
    ("complaints:note", "text", "note"),
    ("complaints:log_call", "call-text", "call"),
    ("intake:message_customer", "customer-text", "message_out"),
])
def test_a_too_long_text_is_refused_on_the_card(client, qms, complaint, route, field, kind):
    client.force_login(qms)
    response = client.post(reverse(route, args=[complaint.number]), {field: TOO_LONG})
    assert response.status_code == 400
    assert not complaint.events.filter(kind=kind).exists()
    response = client.post(reverse(route, args=[complaint.number]), {field: TOO_LONG[1:]})
    assert response.status_code == 302 and complaint.events.filter(kind=kind).exists()


def test_an_edit_cannot_make_the_wording_too_long(client, qms, complaint):
    client.force_login(qms)
    response = client.post(reverse("complaints:edit", args=[complaint.number]), {
        "version": complaint.version, "received_at": "2026-01-10T09:00", "channel": "phone",
        "origin": "external", "request_type": "complaint", "wording": TOO_LONG, "importance": "high",
    })
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.wording != TOO_LONG


def test_an_edit_takes_no_more_minutes_than_the_close_step(client, qms, complaint):
    # SQLite would hold 64 bits; the card keeps to the integer column's range on every database.
    client.force_login(qms)
    edit = {"version": complaint.version, "received_at": "2026-01-10T09:00", "channel": "phone",
            "origin": "external", "request_type": "complaint", "wording": complaint.wording, "importance": "high"}
    response = client.post(reverse("complaints:edit", args=[complaint.number]), {**edit, "time_spent_minutes": 2**40})
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.time_spent_minutes is None
    response = client.post(reverse("complaints:edit", args=[complaint.number]), {**edit, "time_spent_minutes": 90})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.time_spent_minutes == 90
