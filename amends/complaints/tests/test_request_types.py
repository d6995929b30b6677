"""The request type (DOMAIN.md, "Words"): chosen at registration, changed on the card, and a
complaint turned into a claim by its written confirmation; the list's count says what it leaves out."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from amends.complaints.choices import Channel, ClaimDemand, EventKind, RequestType, State
from amends.complaints.models import Complaint
from amends.complaints.services import (
    complaint_confirm_in_writing,
    complaint_register,
    complaint_transition,
    complaint_update,
)
from amends.core.errors import AccessDenied


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("claim.pdf", b"%PDF-1.4 I demand a refund", content_type="application/pdf")


def test_the_operator_registers_an_objection(client, operator):
    client.force_login(operator)
    response = client.post(reverse("complaints:register"), {
        "channel": "email", "received_at": "2026-03-02T10:15", "full_name": "Сидорова Анна",
        "email": "anna@example.com", "wording": "Не согласна с начислением пени", "importance": "medium",
        "request_type": "objection",
    })
    assert response.status_code == 302
    assert Complaint.objects.get().request_type == RequestType.OBJECTION


def test_a_written_claim_is_registered_with_its_demand(client, operator):
    client.force_login(operator)
    client.post(reverse("complaints:register"), {
        "channel": "letter", "received_at": "2026-03-02T10:15", "full_name": "Петров",
        "address": "Курск, ул. Ленина, 1", "wording": "Требую вернуть деньги", "importance": "medium",
        "request_type": "claim", "claim_demand": "refund",
    })
    card = Complaint.objects.get()
    assert (card.request_type, card.claim_demand) == (RequestType.CLAIM, ClaimDemand.REFUND)


@pytest.mark.parametrize("channel, demand, field, message", [
    ("phone", "refund", "request_type", "becomes a claim when its written confirmation is recorded"),
    ("letter", "", "claim_demand", "Say what the customer demands"),
])
def test_a_claim_is_refused_without_a_demand_or_by_phone(client, operator, channel, demand, field, message):
    client.force_login(operator)
    response = client.post(reverse("complaints:register"), {
        "channel": channel, "received_at": "2026-03-02T10:15", "full_name": "Петров",
        "phone": "+7 900 555-44-33", "wording": "Требую вернуть деньги", "importance": "medium",
        "request_type": "claim", "claim_demand": demand,
    })
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Complaint.objects.exists()


def test_the_registration_form_without_a_type_registers_a_complaint(client, operator):
    client.force_login(operator)
    client.post(reverse("complaints:register"), {
        "channel": "phone", "received_at": "2026-03-02T10:15", "full_name": "Сидорова Анна",
        "phone": "8 (900) 555-44-33", "wording": "Курьер нагрубил", "importance": "high",
    })
    assert Complaint.objects.get().request_type == RequestType.COMPLAINT


@translation.override("en")  # its messages are asserted in English
def test_the_responsible_person_changes_the_type_on_the_card(walk, complaint, responsible):
    card = walk(complaint, State.INVESTIGATING)
    card = complaint_update(complaint=card, actor=responsible, changes={"request_type": RequestType.OTHER})
    assert card.request_type == RequestType.OTHER
    change = card.events.get(kind=EventKind.FIELD_CHANGE, field="request_type")
    assert (change.old_value, change.new_value) == ("Complaint", "Other request")


def test_a_phone_complaint_is_not_made_a_claim_by_an_edit(walk, complaint, responsible):
    card = walk(complaint, State.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        complaint_update(complaint=card, actor=responsible, changes={
            "request_type": RequestType.CLAIM, "claim_demand": ClaimDemand.REPAIR,
        })
    assert "request_type" in error.value.message_dict


def test_the_written_confirmation_turns_a_phone_complaint_into_a_claim(client, walk, complaint, responsible):
    card = walk(complaint, State.INVESTIGATING)
    client.force_login(responsible)
    confirmed_on = timezone.localdate() - timedelta(days=1)
    response = client.post(reverse("complaints:confirm_in_writing", args=[card.number]), {
        "confirmation-confirmed_on": confirmed_on.isoformat(), "confirmation-demand": "replacement",
        "confirmation-scan": scan(),
    })
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.request_type, card.claim_demand, card.written_confirmation_on) == (
        RequestType.CLAIM, ClaimDemand.REPLACEMENT, confirmed_on,
    )
    assert card.written_confirmation.original_name == "claim.pdf"
    changes = {e.field: e.new_value for e in card.events.filter(kind=EventKind.FIELD_CHANGE)}
    assert changes["request_type"] == "Claim (written, with a demand)"
    assert changes["written_confirmation"] == "claim.pdf"
    assert card.events.filter(kind=EventKind.ATTACHMENT, attachment=card.written_confirmation).exists()
    page = client.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert "confirmed in writing" in page and "Record written confirmation" not in page


def test_the_confirmation_is_refused_to_an_executor_and_for_a_claim(complaint, executor, responsible, walk):
    card = walk(complaint, State.INVESTIGATING)
    with pytest.raises(AccessDenied):
        complaint_confirm_in_writing(complaint=card, actor=executor, confirmed_on=date.today(),
                                     demand=ClaimDemand.REFUND, scan=scan())
    complaint_confirm_in_writing(complaint=card, actor=responsible, confirmed_on=timezone.localdate(),
                                 demand=ClaimDemand.REFUND, scan=scan())
    with pytest.raises(ValidationError):
        complaint_confirm_in_writing(complaint=card, actor=responsible, confirmed_on=timezone.localdate(),
                                     demand=ClaimDemand.REPAIR, scan=scan())


def test_the_list_count_leaves_out_duplicates_and_withdrawn_and_says_so(client, qms, operator, register, walk):
    original = register()
    register()
    complaint_transition(complaint=register(), name="mark_duplicate", actor=qms,
                         data={"original_number": original.number})
    walk(register(), State.WITHDRAWN)
    walk(register(), State.WITHDRAWN)
    client.force_login(qms)
    response = client.get(reverse("complaints:list"))
    assert response.context["page"].paginator.count == 2
    count = response.content.decode().split('id="list-count">')[1].split("</p>")[0]
    assert count.startswith("2 complaints (excluding 1 duplicate and 2 withdrawn; ")
    assert '<a href="?set_aside=on">show them</a>' in count
    response = client.get(reverse("complaints:list"), {"set_aside": "on"})
    assert response.context["page"].paginator.count == 5
    assert "5 complaints (including 1 duplicate and 2 withdrawn; " in response.content.decode()
    # Asking for a state shows it, with no note.
    response = client.get(reverse("complaints:list"), {"state": "withdrawn"})
    assert response.context["page"].paginator.count == 2
    assert "excluding" not in response.content.decode()


def test_the_list_count_says_nothing_when_nothing_is_left_out(client, qms, complaint):
    client.force_login(qms)
    page = client.get(reverse("complaints:list")).content.decode()
    assert "1 complaint</p>" in page


def test_registration_checks_the_type_as_the_card_does(operator):
    with pytest.raises(ValidationError):
        complaint_register(actor=operator, channel=Channel.EMAIL, wording="Верните деньги",
                           request_type=RequestType.OBJECTION, claim_demand=ClaimDemand.REFUND)
