"""A collapsed form of the card in a real browser: not on the page until opened, fetched when its
<details> opens, then filled and sent like any other form; a mistake brings it back open."""

import pytest
from playwright.sync_api import expect

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

from .test_walkthrough import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_edit_form_is_fetched_when_opened_and_saves(people, login_as):
    customer = contact_create(full_name="Иванов Иван", phone="+7 912 345-67-89")
    card = complaint_register(actor=people["operator"], channel=Channel.PHONE, contact=customer,
                              wording="Сломался насос.")
    page = login_as(people["qms"])
    page.goto(f"/complaints/{card.number}/")
    edit = page.locator("details", has=page.locator("#fragment-edit"))
    expect(page.locator("#fragment-edit[data-fragment]")).to_have_count(1)
    expect(page.locator("textarea[name=wording]")).to_have_count(0)

    with page.expect_response(lambda response: f"/complaints/{card.number}/panel/edit/" in response.url):
        edit.locator("summary").click()
    form = edit.locator("#fragment-edit form")
    expect(form.locator("textarea[name=wording]")).to_have_value("Сломался насос.")
    form.evaluate("form => { form.noValidate = true; }")  # the server's check, not the browser's
    form.locator("input[name=time_spent_minutes]").fill("-5")  # refused: the form comes back open
    submit(page, form.locator("button[type=submit]"))
    edit = page.locator("details", has=page.locator("#fragment-edit"))
    expect(edit).to_have_attribute("open", "")
    expect(edit.locator(".error").first).to_be_visible()
    expect(edit.locator("input[name=time_spent_minutes]")).to_have_value("-5")
    edit.locator("textarea[name=wording]").fill("Сломался насос, течёт масло.")
    edit.locator("input[name=time_spent_minutes]").fill("25")
    submit(page, edit.locator("button[type=submit]"))
    expect(page.locator(".messages li.success")).to_contain_text("The card is saved.")
    expect(page.locator(".wording-full")).to_contain_text("течёт масло")
    card = Complaint.objects.get(pk=card.pk)
    assert (card.wording, card.time_spent_minutes) == ("Сломался насос, течёт масло.", 25)
    assert not login_as.page_errors
