"""The register, opening a nonconformity, and the record page's own forms, through the real client."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amends.accounts.roles import Role
from amends.capa.actions import action_plan
from amends.capa.choices import NonconformityKind, NonconformityState, Source
from amends.capa.models import Nonconformity, NonconformityComplaint, NonconformitySequence
from amends.capa.nonconformities import nonconformity_link, nonconformity_open
from amends.complaints.choices import State

LIST = reverse("capa:list")
NEW = reverse("capa:new")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def text(node) -> str:
    return " ".join(node.get_text(" ").replace("\xa0", " ").split()) if node else ""


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def numbers_listed(response) -> list[str]:
    return [text(cell) for cell in page(response).select("table.capa-register td.number")]


def url(name: str, record: Nonconformity, *args) -> str:
    return reverse(f"capa:{name}", args=[record.number, *args])


def set_state(record: Nonconformity, state: str) -> None:
    Nonconformity.objects.filter(pk=record.pk).update(state=state)


# The register

def test_the_register_shows_overseers_every_record_and_others_their_own(client, qms, manager, responsible, executor,
                                                                         make_user):
    mine = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    acted = nonconformity_open(actor=qms, title="Курьер")
    action_plan(actor=qms, nonconformity=acted, description="Обучить", owner=executor,
                due_date=timezone.localdate() + timedelta(days=5))
    for user, expected in ((qms, {mine.number, acted.number}), (manager, {mine.number, acted.number}),
                           (responsible, {mine.number}), (executor, {acted.number})):
        client.force_login(user)
        assert set(numbers_listed(client.get(LIST))) == expected, user
    client.force_login(make_user("bystander", Role.RESPONSIBLE))
    assert client.get(LIST).status_code == 403


def test_the_register_asks_for_a_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_register_filters_and_searches(client, qms, responsible, supplier, executor):
    battery = nonconformity_open(actor=qms, title="Батареи теряют ёмкость", owner=responsible, supplier=supplier)
    courier = nonconformity_open(actor=qms, title="Курьер опаздывает", kind=NonconformityKind.POTENTIAL)
    late = nonconformity_open(actor=qms, title="Поздний ответ", source=Source.NORM)
    set_state(courier, NonconformityState.ANALYSED)
    action_plan(actor=qms, nonconformity=late, description="x", owner=qms,
                due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(qms)
    cases = {
        "state=analysed": {courier.number},
        f"owner={responsible.pk}": {battery.number},
        f"supplier={supplier.pk}": {battery.number},
        "source=norm": {late.number},
        "kind=potential": {courier.number},
        "mine=on": {late.number},  # an action of their own
        "q=курьер": {courier.number},
        f"q={battery.number}": {battery.number},
        "": {battery.number, courier.number, late.number},
    }
    for query, expected in cases.items():
        assert set(numbers_listed(client.get(f"{LIST}?{query}"))) == expected, query


def test_a_bad_filter_is_told_and_the_others_still_apply(client, qms, responsible):
    nonconformity_open(actor=qms, title="Батареи", kind=NonconformityKind.POTENTIAL)
    nonconformity_open(actor=qms, title="Курьер")
    client.force_login(qms)
    response = client.get(f"{LIST}?owner=999999&kind=potential&q=%00")
    assert response.status_code == 200
    errors = text(page(response).select_one(".filters .errors"))
    assert "Owner:" in errors and "Select a valid choice" in errors
    assert len(numbers_listed(response)) == 1


def test_the_register_is_paginated(client, qms):
    for n in range(27):
        nonconformity_open(actor=qms, title=f"Запись {n}")
    client.force_login(qms)
    first = client.get(LIST)
    assert len(numbers_listed(first)) == 25
    assert "27 nonconformities" in text(page(first).select_one("#register-count"))
    second = client.get(f"{LIST}?kind=actual&page=2")
    assert len(numbers_listed(second)) == 2
    previous = page(second).select_one(".pagination a")["href"]
    assert previous == "?kind=actual&page=1", previous


@pytest.mark.parametrize("role", [Role.QMS_HEAD, Role.RESPONSIBLE])
def test_the_register_makes_the_same_queries_for_3_records_as_for_30(client, qms, make_user, classified, role,
                                                                     django_assert_max_num_queries):
    user = make_user("reader", role)
    client.force_login(user)

    def records(count: int) -> None:
        for _n in range(count):
            nonconformity_open(actor=qms, title="Батареи", owner=user, complaints=[classified()])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    records(3)
    few = queries()
    records(27)
    with django_assert_max_num_queries(few):
        assert client.get(LIST).status_code == 200


# Opening one

def test_the_qms_head_opens_one_with_its_concerns_owner_and_cards(client, qms, responsible, classified, supplier,
                                                                  product, supplier_cause):
    first, second = classified(), classified()
    client.force_login(qms)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, {
        "title": "Батареи теряют ёмкость", "kind": "actual", "description": "Три жалобы за месяц",
        "product": product.pk, "supplier": supplier.pk, "cause": supplier_cause.pk, "process": "Входной контроль",
        "owner": responsible.pk, "complaints": f"{first.number}, {second.number}\n{first.number}",
    })
    record = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == url("record", record)
    assert (record.source, record.owner, record.supplier, record.product, record.cause, record.process) == (
        Source.MANUAL, responsible, supplier, product, supplier_cause, "Входной контроль")
    assert set(record.complaints.all()) == {first, second}
    assert [e.code for e in record.events.all()] == ["opened", "owner", "linked"]


@pytest.mark.parametrize(("numbers", "message"), [
    ("2026-000001 abc", "Not a complaint number: abc"),
    ("1999-999999", "No complaint with the number 1999-999999."),
])
def test_bad_card_numbers_are_told_and_nothing_is_opened(client, qms, classified, numbers, message):
    classified()
    client.force_login(qms)
    response = client.post(NEW, {"title": "Батареи", "kind": "actual", "complaints": numbers})
    assert response.status_code == 400
    assert message in text(page(response).select_one(".has-error"))
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize(("state", "message"), [
    (State.DUPLICATE, "is a duplicate: link its original instead."),
    (State.WITHDRAWN, "was withdrawn and is not counted."),
])
def test_a_duplicate_or_withdrawn_card_is_told_and_nothing_is_opened(client, qms, classified, state, message):
    good, bad = classified(), classified(state=state)
    client.force_login(qms)
    response = client.post(NEW, {"title": "Батареи", "kind": "actual", "complaints": f"{good.number} {bad.number}"})
    assert response.status_code == 400
    assert f"{bad.number} {message}" in text(page(response).select_one(".errors"))
    assert not Nonconformity.objects.exists() and not NonconformityComplaint.objects.exists()
    assert not NonconformitySequence.objects.filter(last__gt=0).exists()  # no number spent


def test_only_the_qms_head_opens_one(client, responsible, manager):
    for user in (responsible, manager):
        client.force_login(user)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, {"title": "Батареи", "kind": "actual"}).status_code == 403
    assert not Nonconformity.objects.exists()


def test_a_missing_title_is_told(client, qms):
    client.force_login(qms)
    response = client.post(NEW, {"title": "", "kind": "actual"})
    assert response.status_code == 400
    assert "This field is required." in text(page(response).select_one(".has-error"))


# The record page

def test_the_record_is_seen_by_overseers_its_owner_and_its_actions_owners_only(client, qms, manager, responsible,
                                                                             executor, make_user):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    action_plan(actor=qms, nonconformity=record, description="Обучить", owner=executor,
                due_date=timezone.localdate() + timedelta(days=5))
    for user in (qms, manager, responsible, executor):
        client.force_login(user)
        response = client.get(url("record", record))
        assert response.status_code == 200, user
        assert text(page(response).select_one("#record-title")) == "Батареи"
    client.force_login(make_user("stranger", Role.RESPONSIBLE))
    assert client.get(url("record", record)).status_code == 404
    assert client.get("/capa/NC-2026-9999/").status_code == 404
    assert client.get("/capa/not-a-number/").status_code == 404


def test_the_summary_shows_the_concerns_and_the_path(client, qms, responsible, supplier, product):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible, supplier=supplier, product=product,
                                process="Входной контроль")
    set_state(record, NonconformityState.ACTIONS_PLANNED)
    client.force_login(responsible)
    summary = page(client.get(url("record", record))).select_one("#summary")
    fields = text(summary.select_one("dl.fields"))
    assert "Supplier AKB-Snab" in fields and "Product E-bike E1" in fields and "Process Входной контроль" in fields
    assert text(summary.select_one("[aria-current=step]")) == "Actions planned"
    assert [text(li) for li in summary.select(".record-path li.done")] == ["Open", "Analysed"]
    # The owner edits and reopens; appointing and closing are the QMS head's.
    assert summary.select_one("#edit") and summary.select_one("#reopen")
    assert not summary.select_one("#appoint") and not summary.select_one("#close")


def test_the_record_page_makes_the_same_queries_whatever_its_cards_and_entries(client, qms, responsible, classified,
                                                                            django_assert_max_num_queries):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible, complaints=[classified()])
    client.force_login(responsible)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("record", record)).status_code == 200
    for _n in range(15):
        nonconformity_link(actor=qms, nonconformity=record, complaints=[classified(responsible=responsible)])
    with django_assert_max_num_queries(len(captured)):
        response = client.get(url("record", record))
    assert len(page(response).select("#complaints tbody tr")) == 16
    assert len(page(response).select("#timeline li")) == 18


def test_the_complaints_section_links_the_cards_the_reader_sees(client, qms, responsible, classified):
    theirs, other = classified(responsible=responsible), classified()
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible, complaints=[theirs, other])
    client.force_login(responsible)
    rows = page(client.get(url("record", record))).select("#complaints tbody tr")
    by_number = {text(row.select_one("td.number")): row for row in rows}
    assert by_number[theirs.number].select_one("td.number a")["href"] == reverse("complaints:detail",
                                                                                  args=[theirs.number])
    assert by_number[other.number].select_one("td.number a") is None
    assert "not yours to see" in text(by_number[other.number])
    # Unlinking is the card's responsible person's or the QMS head's.
    assert by_number[theirs.number].select_one("form") and not by_number[other.number].select_one("form")


# The record's forms

def test_the_qms_head_appoints_the_owner_and_no_one_else_does(client, qms, responsible, executor):
    record = nonconformity_open(actor=qms, title="Батареи")
    client.force_login(qms)
    response = client.post(url("appoint", record), {"appoint-owner": responsible.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.owner == responsible
    client.force_login(responsible)
    assert client.post(url("appoint", record), {"appoint-owner": responsible.pk}).status_code == 403
    client.force_login(qms)
    refused = client.post(url("appoint", record), {"appoint-owner": executor.pk})  # not an owner of processes
    assert refused.status_code == 400
    assert "Select a valid choice" in text(page(refused).select_one("#appoint .has-error"))


def test_the_qms_head_closes_once_the_effectiveness_is_checked(client, qms, responsible):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    client.force_login(qms)
    early = client.post(url("step", record, "close"))
    assert early.status_code == 400
    assert "cannot take this step" in text(page(early).select_one(".errors"))
    set_state(record, NonconformityState.EFFECTIVENESS_CHECKED)
    client.force_login(responsible)
    assert client.post(url("step", record, "close")).status_code == 403
    client.force_login(qms)
    assert client.post(url("step", record, "close")).status_code == 302
    record.refresh_from_db()
    assert record.state == NonconformityState.CLOSED and record.closed_at is not None


def test_a_manual_reopen_needs_a_reason_and_keeps_it(client, qms, responsible, executor):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    set_state(record, NonconformityState.CLOSED)
    client.force_login(responsible)
    refused = client.post(url("step", record, "reopen"), {"reopen-reason": "  "})
    assert refused.status_code == 400
    assert "Say why the nonconformity is reopened." in text(page(refused).select_one("#reopen"))
    assert client.post(url("step", record, "reopen"), {"reopen-reason": "Жалобы вернулись"}).status_code == 302
    record.refresh_from_db()
    assert (record.state, record.reopened) == (NonconformityState.OPEN, 1)
    timeline = text(page(client.get(url("record", record))).select_one("#timeline"))
    assert "Reopened (was “Closed”). Жалобы вернулись" in timeline
    assert "Reopened once." in text(page(client.get(url("record", record))).select_one("#summary"))
    assert client.post(url("step", record, "analyse")).status_code == 404  # taken in the root cause's section


def test_an_action_owner_sees_the_record_but_does_not_change_it(client, qms, responsible, executor):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    action_plan(actor=qms, nonconformity=record, description="Обучить", owner=executor,
                due_date=timezone.localdate() + timedelta(days=5))
    client.force_login(executor)
    assert client.post(url("edit", record), {"edit-title": "x", "edit-kind": "actual"}).status_code == 403
    assert client.post(url("step", record, "reopen"), {"reopen-reason": "x"}).status_code == 403
    assert client.post(url("link", record), {"link-complaints": "2026-000001"}).status_code == 403
    summary = page(client.get(url("record", record))).select_one("#summary")
    assert not summary.select("form")


def test_the_owner_edits_the_record_and_the_timeline_says_what_changed(client, qms, responsible, supplier):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    client.force_login(responsible)
    response = client.post(url("edit", record), {
        "edit-title": "Батареи АКБ-Снаб", "edit-kind": "potential", "edit-supplier": supplier.pk,
        "edit-description": "", "edit-process": "",
    })
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.kind, record.supplier) == ("Батареи АКБ-Снаб", "potential", supplier)
    timeline = text(page(client.get(url("record", record))).select("#timeline li")[-1])
    assert "Changed: Title: “Батареи” → “Батареи АКБ-Снаб”; Kind: “Actual” → “Potential”; " \
           "Supplier: “—” → “AKB-Snab”" in timeline  # named in the writer's language


def test_a_closed_record_is_not_edited(client, qms):
    record = nonconformity_open(actor=qms, title="Батареи")
    set_state(record, NonconformityState.CLOSED)
    client.force_login(qms)
    response = client.post(url("edit", record), {"edit-title": "Другое", "edit-kind": "actual"})
    assert response.status_code == 400
    assert "A closed nonconformity is not changed: reopen it first." in text(page(response).select_one(".errors"))
    record.refresh_from_db()
    assert record.title == "Батареи"


def test_cards_are_linked_by_number_and_unlinked(client, qms, responsible, classified):
    theirs, hidden = classified(responsible=responsible), classified()
    duplicate = classified(state=State.DUPLICATE, responsible=responsible)
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    client.force_login(responsible)
    unseen = client.post(url("link", record), {"link-complaints": hidden.number})
    assert unseen.status_code == 400
    assert f"No complaint with the number {hidden.number}." in text(page(unseen).select_one("#link"))
    refused = client.post(url("link", record), {"link-complaints": f"{theirs.number}, {duplicate.number}"})
    assert refused.status_code == 400 and not record.links.exists()
    assert "is a duplicate" in text(page(refused).select_one("#link .errors"))
    assert client.post(url("link", record), {"link-complaints": theirs.number}).status_code == 302
    assert list(record.complaints.all()) == [theirs]
    assert client.post(url("unlink", record, theirs.number)).status_code == 302
    assert not record.links.exists()
    assert client.post(url("unlink", record, theirs.number)).status_code == 404  # no longer linked


def test_a_card_is_unlinked_only_by_those_who_link_it(client, qms, responsible, classified):
    other = classified()
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible, complaints=[other])
    client.force_login(responsible)
    assert client.post(url("unlink", record, other.number)).status_code == 404  # a card they do not see
    assert record.links.exists()
