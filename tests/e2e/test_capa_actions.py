"""A nonconformity's actions in the browser: the owner plans one and completes the plan, the action's
owner reports it done, the owner reads the evidence (the card since the action links to it) and
finds it not effective, which reopens the record; the section reads at 390 px wide."""

from datetime import timedelta

from django.utils import timezone

from amends.capa.choices import ActionStatus, NonconformityState
from amends.capa.lifecycle import ANALYSE
from amends.capa.models import Action
from amends.capa.nonconformities import nonconformity_open, nonconformity_step
from amends.complaints.choices import CauseKind, Channel, Justification
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register

from .conftest import action_plan_and_complete, action_report_done


def test_plan_report_and_check_an_action(login_as, people, contact):
    owner, executor, qms = people["responsible"], people["executor"], people["qms"]
    cause = Cause.objects.get_or_create(name="Брак комплектующих", defaults={"kind": CauseKind.SUPPLIER})[0]
    record = nonconformity_open(actor=qms, title="Батареи теряют ёмкость", owner=owner, cause=cause)
    nonconformity_step(actor=qms, nonconformity=record, step=ANALYSE)
    url = f"/capa/{record.number}/"

    page = login_as(owner)
    page.goto(url)
    action_plan_and_complete(page, executor.pk, "Входной контроль каждой партии АКБ",
                             timezone.localdate() + timedelta(days=10))
    action = Action.objects.get()
    assert action.check_on == action.due_date + timedelta(days=90)

    worker = login_as(executor)
    worker.goto(url)
    action_report_done(worker, action.pk, "Контроль введён с 1-й партии")
    record.refresh_from_db()
    assert record.state == NonconformityState.ACTIONS_DONE

    card = complaint_register(actor=qms, channel=Channel.PHONE, wording="Аккумулятор снова сел", contact=contact)
    Complaint.objects.filter(pk=card.pk).update(cause=cause, justification=Justification.JUSTIFIED)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(url)
    check = page.locator(".capa-check-form")
    assert "It is early" in check.inner_text()
    assert check.locator("[data-dimension=cause] .evidence-after").inner_text() == "1"
    assert check.locator(f"a[href='/complaints/{card.number}/']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check.locator("input[name=effective][value=no]").check()
    check.locator("textarea[name=comment]").fill("Жалобы на АКБ продолжаются")
    with page.expect_navigation():
        check.locator("button[type=submit]").click()
    record.refresh_from_db()
    action.refresh_from_db()
    assert (record.state, action.status) == (NonconformityState.OPEN, ActionStatus.PLANNED)
    assert not login_as.page_errors
