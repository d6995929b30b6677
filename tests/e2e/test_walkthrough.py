"""The complaint's main line (DOMAIN.md §4) clicked through in a real browser.

Operator registers -> QMS head assigns -> responsible investigates, decides and plans a measure
-> QMS head approves -> executor reports and completes -> responsible answers and closes.
Every user signs in through /login/ in a browser context of their own.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from amends.answers.compensation import compensation_grant
from amends.answers.defaults import load_letter_defaults
from amends.answers.models import CompensationOption, LegalReference, Letterhead, LetterTemplate
from amends.complaints.choices import Channel, EventKind, Justification, Loyalty, State
from amends.complaints.models import Cause, Complaint, TimelineEvent
from amends.customers.models import Contact
from amends.customers.services import contact_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDING = "Заказ привезли на три дня позже, курьер не перезвонил."
NUMBER_URL = re.compile(r"/complaints/(\d{4}-\d{6})/$")

MAIN_LINE = [
    (State.REGISTERED, State.ASSIGNED),
    (State.ASSIGNED, State.INVESTIGATING),
    (State.INVESTIGATING, State.DECIDED),
    (State.DECIDED, State.MEASURES_PLANNED),
    (State.MEASURES_PLANNED, State.IN_PROGRESS),
    (State.IN_PROGRESS, State.RESOLVED),
    (State.RESOLVED, State.ANSWERED),
    (State.ANSWERED, State.CLOSED),
]


def submit(page: Page, button) -> int:
    """Click a submit button and wait for the page the browser lands on; its HTTP status."""
    with page.expect_navigation(wait_until="domcontentloaded") as navigation:
        button.click()
    response = navigation.value
    return response.status if response else 0


def page_errors(page: Page) -> list[str]:
    return page.locator(".errors, .field .error, .messages .error").all_inner_texts()


def assert_unique_ids(page: Page) -> None:
    """Labels and the tests' selectors rely on ids; several forms share the card page."""
    duplicated = page.evaluate("""() => {
        const seen = {};
        document.querySelectorAll("[id]").forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
        return Object.keys(seen).filter(id => seen[id] > 1);
    }""")
    assert duplicated == [], f"duplicate ids on {page.url}: {duplicated}"


def assert_state(page: Page, state: str, after: str = "") -> None:
    badge = page.locator("#card-state")
    classes = badge.get_attribute("class") or ""
    assert f"state-{state}" in classes.split(), (
        f"{after or 'card'}: expected state {state!r}, badge is {badge.inner_text()!r} ({classes}); "
        f"errors on the page: {page_errors(page)}"
    )


def act(page: Page, name: str, target: str, fill=None) -> None:
    """Take the transition `name` from the card's Actions panel and check the state it leads to."""
    action = page.locator(f'details[data-transition="{name}"]')
    offered = page.locator("details[data-transition]").evaluate_all(
        "els => els.map(e => e.dataset.transition)"
    )
    assert action.count() == 1, f"action {name!r} is not offered; the card offers {offered}"
    action.locator("summary").click()
    form = action.locator("form")
    expect(form).to_be_visible()
    if fill:
        fill(form)
    status = submit(page, form.locator("button[type=submit]"))
    assert_state(page, target, after=f"{name} (HTTP {status})")
    expect(page.locator(".messages li.success")).to_be_visible()
    assert_unique_ids(page)


def card_number(page: Page) -> str:
    match = NUMBER_URL.search(page.url)
    assert match, f"not on a card page: {page.url}; errors: {page_errors(page)}"
    return match.group(1)


def open_register(page: Page) -> None:
    with page.expect_navigation():
        page.locator("header nav a[href$='/complaints/new/']").click()
    expect(page.locator("#customer-search")).to_be_visible()


def test_complaint_walkthrough(people, login_as, live_server, tmp_path):
    operator, responsible, executor, qms = (
        people["operator"], people["responsible"], people["executor"], people["qms"],
    )
    customer = contact_create(
        full_name="Иванов Иван Иванович", phone="+7 (912) 345-67-89",
        email="ivanov@example.ru", organisation_name="ООО «Ромашка»",
    )
    cause = Cause.objects.filter(is_active=True).order_by("pk").first()
    assert cause is not None, "no causes: the reference data migration did not run"

    # 1. The operator registers a complaint from an existing customer found by phone.
    op = login_as(operator)
    open_register(op)
    op.fill("#customer-search", "345-67")
    found = op.locator("#customer-results li").filter(has_text=customer.full_name)
    expect(found).to_have_count(1)
    assert_unique_ids(op)
    found.click()
    expect(op.locator("#customer-chosen")).to_be_visible()
    expect(op.locator("#customer-chosen-label")).to_contain_text(customer.full_name)
    expect(op.locator("#customer-new")).to_be_hidden()
    assert op.input_value("input[name=contact]") == str(customer.pk)
    op.select_option("#id_channel", Channel.PHONE.value)
    op.fill("#id_wording", WORDING)
    submit(op, op.locator("form.register button[type=submit]"))
    number = card_number(op)
    expect(op.locator("h1")).to_contain_text(number)
    expect(op.locator(".messages li.success")).to_contain_text(number)
    expect(op.locator("#card-state")).to_have_text("Registered")
    assert_state(op, State.REGISTERED)
    expect(op.locator(".wording-full")).to_contain_text(WORDING)
    complaint = Complaint.objects.get(number=number)
    assert (complaint.contact, complaint.channel, complaint.registered_by) == (
        customer, Channel.PHONE, operator,
    )

    # A second complaint from a new customer: a phone not known yet pre-fills the new-customer
    # form; submitting without the wording shows the error at the field and keeps what was typed.
    open_register(op)
    op.fill("#customer-search", "+7 900 111-22-33")
    expect(op.locator("#id_phone")).to_have_value("+7 900 111-22-33")
    expect(op.locator("#customer-results")).to_be_hidden()
    op.fill("#id_full_name", "Петров Пётр Петрович")
    op.fill("#id_email", "petrov@example.ru")
    op.select_option("#id_channel", Channel.EMAIL.value)
    op.fill("#id_order_reference", "ЗК-1001")
    status = submit(op, op.locator("form.register button[type=submit]"))
    assert status == 400
    wording_field = op.locator(".field", has=op.locator("#id_wording"))
    expect(wording_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(wording_field.locator(".error")).to_be_visible()
    expect(op.locator("#id_full_name")).to_have_value("Петров Пётр Петрович")
    expect(op.locator("#id_phone")).to_have_value("+7 900 111-22-33")
    expect(op.locator("#id_email")).to_have_value("petrov@example.ru")
    expect(op.locator("#id_order_reference")).to_have_value("ЗК-1001")
    expect(op.locator("#id_channel")).to_have_value(Channel.EMAIL.value)
    expect(op.locator("#customer-new")).to_be_visible()
    assert not Contact.objects.filter(full_name="Петров Пётр Петрович").exists()
    op.fill("#id_wording", "Счёт выставлен дважды.")
    submit(op, op.locator("form.register button[type=submit]"))
    second = Complaint.objects.get(number=card_number(op))
    assert_state(op, State.REGISTERED)
    assert second.number != number
    assert second.contact.full_name == "Петров Пётр Петрович"
    assert second.contact.phone == "+7 900 111-22-33"
    assert second.order_reference == "ЗК-1001"

    # 2. The head of the QMS assigns the responsible person.
    head = login_as(qms)
    head.goto(f"/complaints/{number}/")
    act(head, "assign", State.ASSIGNED, lambda form: form.locator(
        "select[name='assign-responsible']").select_option(str(responsible.pk)))
    expect(head.locator(".fields")).to_contain_text(str(responsible))

    # 3. The responsible person investigates, decides, plans a measure and submits the plan.
    resp = login_as(responsible)
    resp.goto(f"/complaints/{number}/")
    act(resp, "investigate", State.INVESTIGATING)

    def decide(form):
        form.locator(f"input[name='decide-justification'][value='{Justification.JUSTIFIED}']").check()
        form.locator("select[name='decide-cause']").select_option(str(cause.pk))
        form.locator("textarea[name='decide-opinion']").fill("Курьерская служба сорвала срок.")

    act(resp, "decide", State.DECIDED, decide)

    measure_form = resp.locator("form.measure-form")
    if not measure_form.is_visible():
        resp.locator("details", has=measure_form).locator("summary").click()
    due = timezone.localdate() + timedelta(days=7)
    measure_form.locator("[name=description]").fill("Сменить курьерскую службу на маршруте.")
    measure_form.locator("select[name=executor]").select_option(str(executor.pk))
    measure_form.locator("input[name=due_date]").fill(due.isoformat())
    status = submit(resp, measure_form.locator("button[type=submit]"))
    assert status == 200, f"adding the measure failed: {page_errors(resp)}"
    expect(resp.locator("#measures table.measures tbody tr.measure")).to_have_count(1)
    expect(resp.locator("#measures table.measures")).to_contain_text("Сменить курьерскую службу")
    act(resp, "plan", State.MEASURES_PLANNED)

    # 4. The head of the QMS approves the plan.
    head.reload()
    act(head, "approve", State.IN_PROGRESS)

    # 5. The executor reports the measure done and completes the measures.
    ex = login_as(executor)
    ex.goto(f"/complaints/{number}/")
    report_form = ex.locator("#measures form.report-form")
    expect(report_form).to_have_count(1)
    report_form.locator("textarea[name=report]").fill("Договор с новой службой подписан.")
    submit(ex, report_form.locator("button[type=submit]"))
    expect(ex.locator("#measures form.report-form")).to_have_count(0)
    expect(ex.locator("#measures table.measures")).to_contain_text("Договор с новой службой подписан.")
    assert not page_errors(ex), page_errors(ex)

    def complete(form):
        form.locator("textarea[name='complete-actions_taken']").fill("Курьерская служба заменена.")

    act(ex, "complete", State.RESOLVED, complete)

    # 6. The responsible person answers with a letter drafted from the template (the company's
    # letterhead and the compensation granted are filled in), told on the phone, and closes the card.
    load_letter_defaults(LetterTemplate, LegalReference)
    Letterhead.objects.create(name="ООО «Сервис Плюс»", registration="ОГРН 1027700132195",
                              address="101000, Москва, ул. Мясницкая, д. 1", phone="+7 495 000 0000")
    Contact.objects.filter(pk=customer.pk).update(address="620000, Екатеринбург, ул. Ленина, д. 5")
    compensation_grant(
        complaint=Complaint.objects.get(pk=complaint.pk), actor=responsible,
        option=CompensationOption.objects.get(kind="free_delivery"),
        value=Decimal("500"), method="на следующий заказ", due_date=timezone.localdate() + timedelta(days=7),
    )
    resp.reload()
    expect(resp.locator('#actions [data-transition-panel="answer"] a')).to_have_attribute("href", "#answer-send")
    submit(resp, resp.locator("#panel-letter").get_by_role("button", name="Draft", exact=True))
    send = resp.locator("#answer-send")
    expect(send.locator(".problems")).to_have_count(0)
    send.locator("input[name=channel][value=oral]").check()
    submit(resp, send.locator("#answer-send-form button[type=submit]"))
    assert_state(resp, State.ANSWERED, "answer sent")

    def close(form):
        form.locator("input[name='close-satisfaction']").fill("9")
        form.locator("select[name='close-loyalty']").select_option(Loyalty.RECOMMENDS.value)

    act(resp, "close", State.CLOSED, close)

    # 7. The closed card, its timeline and the events recorded.
    expect(resp.locator("#card-state")).to_have_text("Closed")
    expect(resp.locator("details[data-transition]")).to_have_count(0)
    with translation.override("en"):
        expected_lines = [f"{State(a).label} → {State(b).label}" for a, b in MAIN_LINE]
    shown = [
        " ".join(text.split())
        for text in resp.locator(".timeline li.event-transition strong").all_inner_texts()
    ]
    assert shown == expected_lines
    expect(resp.locator(".timeline li.event-registered")).to_have_count(1)

    complaint.refresh_from_db()
    transitions = list(
        TimelineEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION)
        .order_by("created_at", "pk").values_list("from_state", "to_state", "transition", "actor")
    )
    assert [(a, b) for a, b, _name, _actor in transitions] == MAIN_LINE
    assert [(name, actor) for _a, _b, name, actor in transitions] == [
        ("assign", qms.pk), ("investigate", responsible.pk), ("decide", responsible.pk),
        ("plan", responsible.pk), ("approve", qms.pk), ("complete", executor.pk),
        ("answer", responsible.pk), ("close", responsible.pk),
    ]
    assert complaint.state == State.CLOSED
    assert (complaint.responsible, complaint.justification, complaint.cause) == (
        responsible, Justification.JUSTIFIED, cause,
    )
    assert (complaint.satisfaction, complaint.loyalty) == (9, Loyalty.RECOMMENDS)
    assert complaint.closed_at is not None and complaint.answered_at is not None
    measure = complaint.measures.get()
    assert (measure.executor, measure.due_date, measure.approved_by) == (executor, due, qms)
    assert measure.done_at is not None and measure.report == "Договор с новой службой подписан."

    # The language selector switches the page to Russian (and keeps the choice on the profile).
    assert resp.locator("html").get_attribute("lang") == "en"
    with resp.expect_navigation():
        resp.select_option("#language", "ru")
    assert resp.locator("html").get_attribute("lang") == "ru"
    assert card_number(resp) == number
    responsible.refresh_from_db()
    assert responsible.language == "ru"

    screenshot = tmp_path / "closed-card.png"
    resp.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
    assert login_as.page_errors == []
