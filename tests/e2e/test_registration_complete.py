"""Registration complete (issue 13, item 6) in a real browser: the operator registers a fax with the
customer's e-mail and the acknowledgement is on the timeline; the head of the QMS unmarks a
duplicate marked by mistake; the responsible person and the QMS head sign a closed card off, and the
printed card shows both sign-offs."""

import pytest
from playwright.sync_api import expect

from amends.complaints.choices import Channel, EventKind, Justification, Loyalty, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.services import contact_create

from .test_walkthrough import act, assert_state, assert_unique_ids, card_number, open_register, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_fax_acknowledged_duplicate_unmarked_card_signed_off(people, login_as):
    operator, responsible, qms = people["operator"], people["responsible"], people["qms"]

    # The operator registers a fax; the customer gave an e-mail, so they are acknowledged.
    op = login_as(operator)
    open_register(op)
    op.select_option("#id_channel", Channel.FAX.value)
    op.fill("#id_full_name", "Сидоров Семён Семёнович")
    op.fill("#id_fax", "+7 495 123-45-67")
    op.fill("#id_email", "sidorov@example.ru")
    op.fill("#id_wording", "Пришёл факс: счёт за октябрь выставлен дважды.")
    submit(op, op.locator("form.register button[type=submit]"))
    number = card_number(op)
    assert_state(op, State.REGISTERED)
    timeline = op.locator("ol.timeline")
    expect(timeline.locator("li.event-acknowledgement")).to_contain_text("sidorov@example.ru")
    expect(op.locator(".fields")).to_contain_text("+7 495 123-45-67")
    complaint = Complaint.objects.get(number=number)
    assert complaint.channel == Channel.FAX and complaint.contact.fax == "+7 495 123-45-67"
    # The acceptance note to fax back, with the number and the tracking link.
    with op.expect_popup() as popup:
        op.locator(".head-links a[href$='/acceptance-note/']").click()
    note = popup.value
    expect(note.locator("#note-number")).to_have_text(number)
    expect(note.locator("#note-tracking")).to_contain_text(f"/track/{number}/?code=")

    # A card marked as a duplicate by mistake: the head of the QMS unmarks it, giving the reason.
    customer = contact_create(full_name="Орлова Ольга", phone="+7 900 555-44-33")
    original = complaint_register(actor=operator, channel=Channel.PHONE, contact=customer, wording="Сломан замок.")
    duplicate = complaint_register(actor=operator, channel=Channel.PHONE, contact=customer,
                                   wording="Не работает подсветка.")
    complaint_transition(complaint=duplicate, name="mark_duplicate", actor=operator,
                         data={"original_number": original.number})
    head = login_as(qms)
    head.goto(f"/complaints/{duplicate.number}/")
    assert_state(head, State.DUPLICATE)
    act(head, "unmark_duplicate", State.REGISTERED,
        lambda form: form.locator("textarea[name='unmark_duplicate-comment']").fill("Другая поломка."))
    expect(head.locator("ol.timeline")).to_contain_text("Другая поломка.")
    assert Complaint.objects.get(pk=duplicate.pk).duplicate_of is None

    # A closed card: the responsible person, then the QMS head, sign it off; the print shows both.
    cause = Cause.objects.filter(is_active=True).order_by("pk").first()
    card = complaint_register(actor=operator, channel=Channel.LETTER, contact=customer, wording="Письмо: не тот цвет.")
    for name, actor, data in [
        ("assign", qms, {"responsible": responsible}), ("investigate", responsible, {}),
        ("decide", responsible, {"justification": Justification.UNJUSTIFIED, "opinion": "Цвет по каталогу.",
                                 "cause": cause}),
        ("answer", responsible, {"answer_text": "Цвет соответствует каталогу."}),
        ("close", responsible, {"satisfaction": 7, "loyalty": Loyalty.STAYS}),
    ]:
        card = complaint_transition(complaint=card, name=name, actor=actor, data=data)
    resp = login_as(responsible)
    resp.goto(f"/complaints/{card.number}/")
    sign = resp.locator("#sign-offs button[data-sign-off='responsible']")
    expect(resp.locator("#sign-offs button")).to_have_count(1)
    submit(resp, sign)
    expect(resp.locator(".messages li.success")).to_be_visible()
    expect(resp.locator("#sign-offs")).to_contain_text(str(responsible))
    assert_unique_ids(resp)
    head.goto(f"/complaints/{card.number}/")
    submit(head, head.locator("#sign-offs button[data-sign-off='qms_head']"))
    expect(head.locator("ol.timeline li.event-sign_off")).to_have_count(2)
    assert card.events.filter(kind=EventKind.SIGN_OFF).count() == 2
    head.goto(f"/complaints/{card.number}/print/")
    expect(head.locator("[data-signed='responsible']")).to_contain_text(str(responsible))
    expect(head.locator("[data-signed='qms_head']")).to_contain_text(str(qms))
    expect(head.locator("#print-answer")).to_contain_text("Цвет соответствует каталогу.")
    assert login_as.page_errors == []
