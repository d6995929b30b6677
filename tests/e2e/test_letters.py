"""The responsible person drafts the refusal letter on the card, sees what it lacks, chooses the
reference and has the template cite it: then the letter holds every required element."""

import pytest

from amends.answers.defaults import load_letter_defaults
from amends.answers.models import LegalReference, Letter, Letterhead, LetterTemplate
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refusal_letter_drafted_completed_and_checked(people, login_as):
    load_letter_defaults(LetterTemplate, LegalReference)  # the flush of an earlier test removed the seeds
    Letterhead.objects.create(name="Service Plus Ltd", registration="Reg. No. 1027700132195",
                              address="1 Main Street, Yerevan")
    contact = contact_create(full_name="Ann Smith", email="ann@example.com", phone="+374 10 000000")
    contact.address = "5 River Road, Gyumri"
    contact.save()
    card = complaint_register(actor=people["operator"], channel=Channel.EMAIL, contact=contact,
                              wording="The kettle stopped working after I dropped it on the floor.")
    Complaint.objects.filter(pk=card.pk).update(
        state=State.DECIDED, justification=Justification.UNJUSTIFIED, responsible=people["responsible"],
        opinion="The damage comes from the fall, which the warranty does not cover.",
    )
    page = login_as(people["responsible"])
    page.goto(f"/complaints/{card.number}/")
    panel = page.locator("#panel-letter")
    panel.locator("select[name=draft-outcome]").select_option("refused")
    panel.locator("select[name=draft-language]").select_option("en")
    with page.expect_navigation():
        panel.get_by_role("button", name="Draft", exact=True).click()
    body = panel.locator("textarea[name=letter-body]")
    assert body.input_value().startswith("Service Plus Ltd") and "Dear Ann Smith" in body.input_value()
    missing = panel.locator(".letter-missing a")
    assert missing.all_inner_texts() == [
        "A refusal cites at least one legal or contractual reference: choose it on the letter."
    ]
    missing.first.click()
    assert page.url.endswith("#id_letter-references")
    panel.get_by_label("Contract, section “Warranty”").check()
    panel.get_by_label("Fill the text from the template again (replaces the edited text)").check()
    with page.expect_navigation():
        panel.get_by_role("button", name="Save the letter").click()
    assert page.locator("#panel-letter .letter-complete").inner_text() == "The letter holds every required element."
    letter = Letter.objects.get(complaint=card)
    assert "- Contract, section “Warranty”: The warranty does not cover" in letter.body
    assert not login_as.page_errors
