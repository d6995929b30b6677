"""The operator types a complaint on the registration form and sees, before saving it, that the same
customer sent it already (a possible duplicate) and that another customer wrote alike (a similar
complaint, not a duplicate)."""

import pytest
from playwright.sync_api import expect

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRST = ("I ordered a kettle (order 4512) on March 12 and it arrived five days late. The courier did not call "
         "ahead, the box was crushed and the kettle's lid is cracked. Please replace it or refund my money.")
TYPED = ("Hello, I ordered a kettle, order 4512, on March 12 and it arrived five days late. The courier did not "
         "call ahead, the box was crushed and the lid of the kettle is cracked. ")


def test_the_candidates_appear_while_the_operator_types_before_the_card_exists(login_as, people):
    operator = people["operator"]
    customer = contact_create(full_name="Jane Roe", email="jane@example.com")
    stranger = contact_create(full_name="John Doe", phone="+1 555 010 0001")
    own = complaint_register(actor=operator, channel=Channel.PHONE, contact=customer, wording=FIRST)
    alike = complaint_register(actor=operator, channel=Channel.EMAIL, contact=stranger, wording=FIRST)
    cards = Complaint.objects.count()

    page = login_as(operator)
    page.goto("/complaints/new/")
    page.fill("#id_full_name", "Jane Roe")
    page.fill("#id_email", "Jane@Example.com")
    page.fill("#id_wording", TYPED)
    page.locator("#id_wording").press_sequentially("Please replace it.")

    duplicates = page.locator("#draft-duplicates")
    expect(duplicates.locator(f'li[data-candidate="{own.number}"]')).to_be_visible()
    expect(duplicates).to_contain_text("Same contact")
    similar = page.locator("#draft-similar")
    expect(similar.locator(f'li[data-candidate="{alike.number}"]')).to_be_visible()
    expect(similar).to_contain_text("not duplicates")
    assert Complaint.objects.count() == cards  # nothing saved yet

    # Another customer's e-mail: the same text is only a similar complaint.
    page.fill("#id_email", "someone.else@example.com")
    page.locator("#id_email").press("End")
    expect(page.locator("#draft-duplicates")).to_have_count(0)
    expect(page.locator(f'#draft-similar li[data-candidate="{own.number}"]')).to_be_visible()
    assert login_as.page_errors == []
