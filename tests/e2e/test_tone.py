"""The tone check in the browser: the card's "Write to the customer" shows stop-phrases as the
person types (HTMX, debounced), and sending with findings asks for a reason kept on the timeline."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_live_tone_check_on_the_card(people, login_as):
    from amends.complaints.choices import Channel
    from amends.complaints.event_texts import SENT_DESPITE_CHECK
    from amends.complaints.services import complaint_register
    from amends.customers.services import contact_create

    contact = contact_create(full_name="Anna Smith", email="anna@example.com")
    card = complaint_register(actor=people["operator"], channel=Channel.EMAIL, contact=contact,
                              wording="The kettle arrived broken.")
    page = login_as(people["qms"])
    # htmx checks the field once it is loaded: typing before that would go unheard, as no person types so fast.
    with page.expect_response("**/answers/tone/"):
        page.goto(f"/complaints/{card.number}/")
    page.fill("#id_customer-text", "Please calm down, it's our policy.")
    finding = page.locator("#tone-customer-text mark.tone-finding").first
    finding.wait_for()
    assert finding.inner_text() == "calm down"
    findings = page.locator("#tone-customer-text .tone-findings").inner_text()
    assert "it's our policy" in findings and "Give the reason behind the rule" in findings
    assert page.locator('#tone-customer-text [data-check="no_call_back"].ok').count() == 1

    with page.expect_navigation():
        page.click("#customer-message button[type=submit]")
    assert "give a reason to send it as it is" in page.locator("#customer-message").inner_text()
    page.fill("#id_customer-reason", "The customer asked for the rule word for word")
    with page.expect_navigation():
        page.click("#customer-message button[type=submit]")
    assert card.events.filter(code=SENT_DESPITE_CHECK, params__reason__startswith="The customer asked").exists()
    assert not login_as.page_errors, login_as.page_errors
