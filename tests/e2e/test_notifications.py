"""The people in the process are told, in the browser: the QMS head approves the plan, the
executor finds the notice of their measure, filters the list and marks notices read in bulk."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amends.complaints.choices import Channel, Justification
from amends.complaints.models import Cause
from amends.complaints.services import complaint_register, complaint_transition, measure_add
from amends.notifications.card import notify_users
from amends.notifications.models import Notification

from .test_walkthrough import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_executor_hears_of_their_approved_measure_and_sorts_the_list(people, login_as):
    qms, responsible, executor = people["qms"], people["responsible"], people["executor"]
    executor.language = "en"
    executor.save(update_fields=["language"])
    card = complaint_register(actor=people["operator"], channel=Channel.PHONE,
                              wording="Чайник протекает после первого же кипячения.")
    card = complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    card = complaint_transition(complaint=card, name="investigate", actor=responsible)
    card = complaint_transition(complaint=card, name="decide", actor=responsible, data={
        "justification": Justification.JUSTIFIED, "opinion": "Брак уплотнителя.", "cause": Cause.objects.first(),
    })
    measure_add(complaint=card, actor=responsible, description="Replace the kettle", executor=executor,
                due_date=timezone.localdate() + timedelta(days=5))
    complaint_transition(complaint=card, name="plan", actor=responsible)
    for key in ("other-1", "other-2"):  # two notices of another kind, unread
        notify_users([executor], card, template="complaints/mail/internal_filed.txt", kind="internal_filed", key=key)

    head = login_as(qms)
    head.goto(f"/complaints/{card.number}/")
    approve = head.locator('details[data-transition="approve"]')
    approve.locator("summary").click()
    assert submit(head, approve.locator("form button[type=submit]")) == 200

    page = login_as(executor)
    page.goto("/notifications/")
    notice = page.locator("ol.notifications li", has_text=f"A measure of complaint {card.number} is yours")
    expect(notice).to_have_count(1)
    expect(notice).to_have_class("card unread")
    notice.locator("summary").click()
    expect(notice.locator(".body")).to_contain_text("Replace the kettle")

    page.select_option("#id_kind", "measure_approved")
    submit(page, page.locator("form.filters button[type=submit]"))
    expect(page.locator("ol.notifications li.card")).to_have_count(1)
    page.locator("ol.notifications li.card input[name=ids]").check()
    submit(page, page.locator("button[name=scope][value=selected]"))
    assert "kind=measure_approved" in page.url  # back to the list as it was filtered
    expect(page.locator("ol.notifications li.card.unread")).to_have_count(0)
    assert Notification.objects.get(user=executor, kind="measure_approved").read_at is not None

    page.goto("/notifications/?status=unread")
    expect(page.locator("ol.notifications li.card.unread")).to_have_count(2)
    submit(page, page.locator("button[name=scope][value=matching]"))
    expect(page.locator(".messages")).to_contain_text("2 notifications marked read.")
    expect(page.locator("ol.notifications li.card")).to_have_count(0)
    assert not Notification.objects.filter(user=executor, read_at__isnull=True).exists()
    assert login_as.page_errors == []
