"""Operator speed in a real browser: the head of the QMS selects two cards in the list and assigns
them in one action, sees the picker's load figures, saves the filter that shows them and uses it,
and finds the card left unassigned on My deadlines."""

import pytest
from playwright.sync_api import Page, expect

from amends.complaints.choices import Channel, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit(page: Page, button) -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        button.click()


def row(page: Page, number: str):
    return page.locator("table.complaints tbody tr", has=page.locator(f"a:text-is('{number}')"))


def test_bulk_assign_and_a_saved_filter(people, login_as):
    operator, responsible, qms = people["operator"], people["responsible"], people["qms"]
    customer = contact_create(full_name="Иванов Иван", phone="+7 912 345-67-89", email="ivanov@example.ru")
    first, second, third = (
        complaint_register(actor=operator, channel=Channel.EMAIL, contact=customer, wording=text)
        for text in ("Курьер опоздал на три дня.", "Счёт выставлен дважды.", "Упаковка была порвана.")
    )

    head = login_as(qms)
    head.goto("/complaints/")
    picker = head.locator("#bulk-assign select[name='bulk-responsible']")
    expect(picker.locator(f"option[value='{responsible.pk}']")).to_have_text("Roman Rostov — 0 open")
    row(head, first.number).locator("input[name='bulk-cards']").check()
    row(head, second.number).locator("input[name='bulk-cards']").check()
    picker.select_option(str(responsible.pk))
    submit(head, head.locator("#bulk-assign button[type=submit]"))
    expect(head.locator(".messages li.success")).to_contain_text("2 cards assigned to Roman Rostov")
    states = dict(Complaint.objects.values_list("number", "state"))
    assert (states[first.number], states[second.number], states[third.number]) == (
        State.ASSIGNED, State.ASSIGNED, State.REGISTERED,
    )
    expect(head.locator(f"#bulk-assign option[value='{responsible.pk}']")).to_have_text("Roman Rostov — 2 open")

    # Filter the assigned cards, save the filter, and come back to it from the unfiltered list.
    head.select_option("#id_state", State.ASSIGNED.value)
    submit(head, head.locator("form.filters button[type=submit]"))
    head.locator("details.save-filter summary").click()
    head.fill("details.save-filter input[name=name]", "Assigned today")
    submit(head, head.locator("details.save-filter button[type=submit]"))
    expect(head.locator(".messages li.success")).to_contain_text("Assigned today")
    head.goto("/complaints/")
    expect(head.locator("table.complaints tbody tr")).to_have_count(3)
    submit(head, head.locator(".saved-filters a", has_text="Assigned today"))
    expect(head.locator("table.complaints tbody tr")).to_have_count(2)
    expect(row(head, third.number)).to_have_count(0)
    expect(head.locator("#id_state")).to_have_value(State.ASSIGNED.value)

    # The card left without a responsible person waits on the head's My deadlines.
    head.goto("/deadlines/mine/")
    expect(head.locator("#unassigned tr[data-complaint]")).to_have_count(1)
    expect(head.locator(f"#unassigned tr[data-complaint='{third.number}']")).to_be_visible()
    assert login_as.page_errors == []
