"""Request types in a real browser: an objection registered by the operator, a phone complaint
turned into a claim by its written confirmation, and the list's count saying what it leaves out."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amends.complaints.choices import Channel, ClaimDemand, RequestType, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.services import contact_create

from .test_walkthrough import card_number, open_register, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_request_types_and_the_list_count(people, login_as, tmp_path):
    operator, responsible, qms = people["operator"], people["responsible"], people["qms"]
    customer = contact_create(full_name="Иванов Иван", phone="+7 912 345-67-89", email="ivanov@example.ru")

    # The operator registers an objection: a request, not a complaint.
    op = login_as(operator)
    open_register(op)
    op.fill("#customer-search", "+7 900 111-22-33")
    expect(op.locator("#id_phone")).to_have_value("+7 900 111-22-33")  # copied once the lookup found nobody
    op.fill("#id_full_name", "Петров Пётр")
    op.select_option("#id_channel", Channel.EMAIL.value)
    op.select_option("#id_request_type", RequestType.OBJECTION.value)
    op.fill("#id_wording", "Не согласен с начислением пени.")
    submit(op, op.locator("form.register button[type=submit]"))
    objection = Complaint.objects.get(number=card_number(op))
    assert objection.request_type == RequestType.OBJECTION
    expect(op.locator(".fields")).to_contain_text("Objection")

    # A phone complaint becomes a claim when the responsible person records its written confirmation.
    card = complaint_register(actor=operator, channel=Channel.PHONE, contact=customer, wording="Сломался насос.")
    complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    scan = tmp_path / "claim.pdf"
    scan.write_bytes(b"%PDF-1.4 I demand a repair")
    resp = login_as(responsible)
    resp.goto(f"/complaints/{card.number}/")
    resp.locator("#confirmation summary").click()
    resp.fill("#id_confirmation-confirmed_on", timezone.localdate().isoformat())
    resp.select_option("#id_confirmation-demand", ClaimDemand.REPAIR.value)
    resp.set_input_files("#id_confirmation-scan", str(scan))
    assert submit(resp, resp.locator("#confirmation button[type=submit]")) == 200
    expect(resp.locator(".messages li.success")).to_contain_text("now a claim")
    expect(resp.locator(".fields")).to_contain_text("Claim (written, with a demand): repair")
    expect(resp.locator("#confirmation")).to_have_count(0)
    card.refresh_from_db()
    assert (card.request_type, card.claim_demand) == (RequestType.CLAIM, ClaimDemand.REPAIR)

    # The list leaves the duplicate out and says so; one click shows it.
    complaint_transition(complaint=complaint_register(actor=operator, channel=Channel.EMAIL, contact=customer,
                                                      wording="Сломался насос, повторно."),
                         name="mark_duplicate", actor=qms, data={"original_number": card.number})
    head = login_as(qms)
    head.goto("/complaints/")
    count = head.locator("#list-count")
    expect(count).to_contain_text("2 complaints (excluding 1 duplicate; show them)")
    with head.expect_navigation():
        count.get_by_role("link", name="show them").click()
    expect(count).to_contain_text("3 complaints (including 1 duplicate; hide them)")
    assert Complaint.objects.filter(state=State.DUPLICATE).count() == 1
