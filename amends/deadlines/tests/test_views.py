from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.complaints.choices import Channel, State
from amends.complaints.models import TimelineEvent
from amends.complaints.services import complaint_add_message, complaint_transition, measure_add
from amends.deadlines.choices import ClockKind, Preset
from amends.deadlines.models import CardPreset, Clock, CustomerWait
from amends.deadlines.services import card_preset_choose, waiting_start

from .conftest import clocks_of, msk

WEDNESDAY = msk(2025, 3, 12, 10)


@pytest.fixture(autouse=True)
def english(client):
    """The default UI language is Russian; the pages are asserted in their English source."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def card_url(complaint) -> str:
    return reverse("complaints:detail", args=[complaint.number])


def url(name: str, complaint, *args) -> str:
    return reverse(f"deadlines:{name}", args=[complaint.number, *args])


def text(node) -> str:
    return " ".join(node.get_text(" ").replace("\xa0", " ").split()) if node else ""


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def panel(response) -> dict[str, dict]:
    """The card's deadline rows by clock kind (or `measure-<pk>`)."""
    return {
        row["data-deadline"]: {
            "label": text(row.td), "status": row["data-status"], "badge": text(row.select_one(".badge")),
            "due": row.time["datetime"], "time": text(row.select_one(".time-left")),
        }
        for row in page(response).select("#deadlines tr.deadline")
    }


def open_card(client, user, complaint):
    client.force_login(user)
    response = client.get(card_url(complaint))
    assert response.status_code == 200
    return response


@pytest.fixture
def email_card(frozen, register):
    frozen(WEDNESDAY)
    return register(channel=Channel.EMAIL)


@pytest.fixture
def assigned(email_card, qms, responsible):
    return complaint_transition(complaint=email_card, name="assign", actor=qms, data={"responsible": responsible})


def db_state(complaint) -> tuple:
    """What a refused deadline form must leave untouched."""
    return (
        list(Clock.objects.filter(complaint=complaint).order_by("pk").values()),
        list(CustomerWait.objects.filter(complaint=complaint).values()),
        CardPreset.objects.filter(complaint=complaint).count(),
        TimelineEvent.objects.filter(complaint=complaint).count(),
    )


# The card's panel


@pytest.mark.parametrize(("now", "status", "badge", "time"), [
    (msk(2025, 3, 12, 12), "on_track", "On track", "22 hours left"),
    (msk(2025, 3, 13, 4), "at_risk", "At risk", "6 hours left"),
    (msk(2025, 3, 13, 13, 30), "breached", "Breached", "3 hours, 30 minutes late"),
])
def test_the_panel_shows_each_running_clock_with_its_status(
    client, frozen, email_card, qms, now, status, badge, time,
):
    frozen(now)
    rows = panel(open_card(client, qms, email_card))
    assert set(rows) == {ClockKind.FIRST_RESPONSE, ClockKind.DECISION}
    for kind, label in ((ClockKind.FIRST_RESPONSE, "First response"), (ClockKind.DECISION, "Decision")):
        # Due 24 hours after receipt, shown in the company's time zone.
        assert rows[kind] == {
            "label": label, "status": status, "badge": badge, "due": "2025-03-13T10:00:00+03:00", "time": time,
        }


def test_the_panel_shows_met_paused_and_stopped_clocks_and_measures(client, frozen, email_card, qms, walk):
    frozen(msk(2025, 3, 12, 11))
    complaint_add_message(complaint=email_card, incoming=False, text="Получили, разбираемся.")
    waiting_start(complaint=email_card, actor=qms, reason="Ждём фото дефекта")
    frozen(msk(2025, 3, 14, 10))
    response = open_card(client, qms, email_card)
    rows = panel(response)
    assert rows[ClockKind.FIRST_RESPONSE]["status"] == "met"
    assert rows[ClockKind.FIRST_RESPONSE]["badge"] == "Met"
    assert rows[ClockKind.FIRST_RESPONSE]["time"].startswith("met ")
    assert "late" not in rows[ClockKind.FIRST_RESPONSE]["time"]
    assert (rows[ClockKind.DECISION]["badge"], rows[ClockKind.DECISION]["time"]) == (
        "Paused", "paused with 23 hours left",
    )
    banner = page(response).select_one("#waiting-banner")
    assert "Waiting for the customer" in text(banner) and "Ждём фото дефекта" in text(banner)

    walk(email_card, State.WITHDRAWN)
    rows = panel(open_card(client, qms, email_card))
    assert (rows[ClockKind.DECISION]["status"], rows[ClockKind.DECISION]["badge"]) == ("stopped", "Stopped")
    assert rows[ClockKind.DECISION]["time"].startswith("stopped ")


def test_a_clock_met_late_says_how_late(client, frozen, email_card, qms):
    frozen(msk(2025, 3, 13, 12))
    complaint_add_message(complaint=email_card, incoming=False, text="Извините за задержку.")
    first = panel(open_card(client, qms, email_card))[ClockKind.FIRST_RESPONSE]
    assert first["status"] == "met" and first["time"].endswith(", 2 hours late")


def test_a_measures_due_date_is_on_the_panel(client, frozen, email_card, qms, walk):
    card = walk(email_card, State.IN_PROGRESS)  # one measure due in 7 days, reported by the end of that day
    measure = card.measures.get()
    frozen(msk(2025, 3, 20, 0, 30))
    row = panel(open_card(client, qms, card))[f"measure-{measure.pk}"]
    assert row == {
        "label": "Measure: Заменить товар", "status": "breached", "badge": "Breached",
        "due": "2025-03-20T00:00:00+03:00", "time": "30 minutes late",
    }


def test_the_card_page_costs_the_same_whatever_its_clocks_measures_and_waits(
    client, frozen, email_card, qms, walk, executor, responsible,
):
    card = walk(email_card, State.DECIDED)
    client.force_login(qms)
    client.get(card_url(card))  # the policy table is read once per process
    with CaptureQueriesContext(connection) as few:
        assert client.get(card_url(card)).status_code == 200
    card_preset_choose(complaint=card, actor=qms, preset=Preset.CITIZENS_APPEAL)
    waiting_start(complaint=card, actor=qms, reason="Ждём документы")
    for day in range(1, 4):
        measure_add(complaint=card, actor=responsible, description=f"Мера {day}", executor=executor,
                    due_date=WEDNESDAY.date() + timedelta(days=day))
    assert len(panel(client.get(card_url(card)))) == 7
    with CaptureQueriesContext(connection) as many:
        client.get(card_url(card))
    assert len(many) == len(few)


# Waiting for the customer


def test_waiting_for_the_customer_pauses_and_the_reply_button_resumes(client, frozen, assigned, responsible):
    frozen(msk(2025, 3, 12, 11))
    form = page(open_card(client, responsible, assigned)).select_one("#waiting-form")
    assert "Waiting for the customer" in text(form)
    response = client.post(url("waiting_start", assigned), {"waiting-reason": "Ждём фото дефекта"})
    assert response.status_code == 302 and response["Location"] == card_url(assigned)
    assert all(c.paused_at == msk(2025, 3, 12, 11) for c in clocks_of(assigned).values())

    frozen(msk(2025, 3, 12, 15))
    response = client.get(card_url(assigned))
    banner = page(response).select_one("#waiting-banner")
    assert "Ждём фото дефекта" in text(banner) and "since" in text(banner)
    assert banner.find("button", string="Customer replied / stop waiting")
    assert page(response).select_one("#waiting-form") is None
    assert "The card waits for the customer" in response.content.decode()  # the message after the redirect

    response = client.post(url("waiting_end", assigned))
    assert response.status_code == 302
    assert not CustomerWait.objects.filter(complaint=assigned, ended_at__isnull=True).exists()
    # Four hours waited: the due time moved by as much.
    assert clocks_of(assigned)[ClockKind.DECISION].due_at == msk(2025, 3, 13, 14)
    response = client.get(card_url(assigned))
    assert page(response).select_one("#waiting-banner") is None
    assert page(response).select_one("#waiting-form") is not None
    assert "the deadlines run again" in response.content.decode()


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Say what the card is waiting for from the customer."),
    ("   ", "Say what the card is waiting for from the customer."),
])
def test_waiting_without_a_reason_is_refused_on_the_card(client, assigned, responsible, reason, message):
    client.force_login(responsible)
    before = db_state(assigned)
    response = client.post(url("waiting_start", assigned), {"waiting-reason": reason})
    assert response.status_code == 400
    form = page(response).select_one("#waiting-form")
    assert form.has_attr("open") and message in text(form)
    assert db_state(assigned) == before


def test_waiting_twice_and_waiting_on_a_final_card_are_refused(client, assigned, qms, walk):
    client.force_login(qms)
    client.post(url("waiting_start", assigned), {"waiting-reason": "Ждём фото"})
    before = db_state(assigned)
    response = client.post(url("waiting_start", assigned), {"waiting-reason": "Ещё раз"})
    assert response.status_code == 400
    assert "already waiting for the customer" in text(page(response).select_one("#waiting-form"))
    assert db_state(assigned) == before

    walk(assigned, State.WITHDRAWN)
    before = db_state(assigned)
    response = client.post(url("waiting_start", assigned), {"waiting-reason": "Ждём фото"})
    assert response.status_code == 400
    assert "its deadlines no longer run" in text(page(response).select_one("#waiting-form"))
    assert db_state(assigned) == before
    assert page(client.get(card_url(assigned))).select_one("#waiting-form") is None


def test_only_those_who_edit_the_card_wait_for_the_customer(client, assigned, operator, manager, qms):
    for user in (operator, manager):  # the operator registered it, the manager reads everything
        response = open_card(client, user, assigned)
        assert page(response).select_one("#waiting-form") is None
        assert client.post(url("waiting_start", assigned), {"waiting-reason": "Ждём"}).status_code == 403
    assert not CustomerWait.objects.filter(complaint=assigned).exists()

    waiting_start(complaint=assigned, actor=qms, reason="Ждём фото")
    response = open_card(client, manager, assigned)
    assert "Ждём фото" in text(page(response).select_one("#waiting-banner"))
    assert "stop waiting" not in response.content.decode()
    assert client.post(url("waiting_end", assigned)).status_code == 403
    assert CustomerWait.objects.filter(complaint=assigned, ended_at__isnull=True).exists()


def test_a_card_not_waiting_says_so_when_told_to_stop(client, assigned, qms):
    client.force_login(qms)
    before = db_state(assigned)
    response = client.post(url("waiting_end", assigned), follow=True)
    assert "The card was not waiting for the customer." in response.content.decode()
    assert db_state(assigned) == before


# Statutory presets and the extension


def test_a_citizens_appeal_preset_and_its_one_extension_through_the_card(client, frozen, assigned, responsible):
    frozen(msk(2025, 3, 12, 12))
    response = open_card(client, responsible, assigned)
    assert page(response).select_one("#preset-form") is not None
    assert "Extend by" not in response.content.decode()

    response = client.post(url("preset_choose", assigned), {"preset-preset": Preset.CITIZENS_APPEAL})
    assert response.status_code == 302
    response = client.get(card_url(assigned))
    rows = panel(response)
    assert text(page(response).select_one("#deadline-preset")) == "Statutory terms: Citizens' appeal (59-FZ)"
    assert page(response).select_one("#preset-form") is None
    assert rows[ClockKind.DECISION]["status"] == "stopped"
    assert rows[ClockKind.REGISTRATION]["status"] == "met"
    assert (rows[ClockKind.ANSWER]["label"], rows[ClockKind.ANSWER]["due"]) == (
        "Statutory answer", "2025-04-11T10:00:00+03:00",
    )
    extend_forms = page(response).select("#deadlines tr.extend")
    assert len(extend_forms) == 1 and "Extend by 30 days" in text(extend_forms[0])
    answer = clocks_of(assigned)[ClockKind.ANSWER]

    before = db_state(assigned)
    response = client.post(url("clock_extend", assigned, answer.pk), {f"extend-{answer.pk}-reason": " "})
    assert response.status_code == 400
    refused = page(response).select_one("#deadlines tr.extend details")
    assert refused.has_attr("open") and "Give the reason for the extension." in text(refused)
    assert db_state(assigned) == before

    response = client.post(
        url("clock_extend", assigned, answer.pk), {f"extend-{answer.pk}-reason": "Запрос в другой орган"},
    )
    assert response.status_code == 302
    response = client.get(card_url(assigned))
    answer_row = panel(response)[ClockKind.ANSWER]
    assert answer_row["due"] == "2025-05-11T10:00:00+03:00"
    assert answer_row["label"] == "Statutory answer Extended: Запрос в другой орган"
    assert page(response).select("#deadlines tr.extend") == []


def test_a_wrong_preset_and_a_clock_that_cannot_be_extended_are_refused(client, assigned, qms):
    client.force_login(qms)
    before = db_state(assigned)
    response = client.post(url("preset_choose", assigned), {"preset-preset": ""})
    assert response.status_code == 400
    assert "Choose one of the statutory presets." in text(page(response).select_one("#preset-form"))
    first = clocks_of(assigned)[ClockKind.FIRST_RESPONSE]
    response = client.post(url("clock_extend", assigned, first.pk), {f"extend-{first.pk}-reason": "Нужно время"})
    assert response.status_code == 400 and "This deadline cannot be extended." in response.content.decode()
    assert db_state(assigned) == before


def test_a_clock_of_another_card_is_not_found_through_this_one(client, assigned, register, qms):
    other = register()
    card_preset_choose(complaint=other, actor=qms, preset=Preset.CITIZENS_APPEAL)
    answer = clocks_of(other)[ClockKind.ANSWER]
    client.force_login(qms)
    response = client.post(url("clock_extend", assigned, answer.pk), {f"extend-{answer.pk}-reason": "Причина"})
    assert response.status_code == 404
    assert Clock.objects.get(pk=answer.pk).extension_reason == ""


def test_presets_and_extensions_are_hidden_from_and_refused_to_others(
    client, assigned, qms, operator, manager, make_user,
):
    card_preset_choose(complaint=assigned, actor=qms, preset=Preset.CITIZENS_APPEAL)
    answer = clocks_of(assigned)[ClockKind.ANSWER]
    for user in (operator, manager):
        response = open_card(client, user, assigned)
        assert page(response).select("#deadlines tr.extend") == []
        assert page(response).select_one("#preset-form") is None
        before = db_state(assigned)
        reason = {f"extend-{answer.pk}-reason": "Причина"}
        assert client.post(url("clock_extend", assigned, answer.pk), reason).status_code == 403
        assert client.post(url("preset_choose", assigned), {"preset-preset": Preset.CONSUMER_REPAIR}).status_code == 403
        assert db_state(assigned) == before
    # Someone who may not see the card does not learn that it exists.
    client.force_login(make_user("executor2", "executor"))
    assert client.post(url("preset_choose", assigned), {"preset-preset": Preset.CONSUMER_REPAIR}).status_code == 404


# The list


@pytest.fixture
def three_cards(frozen, register, walk):
    frozen(WEDNESDAY)
    cards = {
        "email": register(channel=Channel.EMAIL),  # due tomorrow 10:00
        "social": register(channel=Channel.SOCIAL),  # first response due at 11:00 (working time)
        "phone": register(channel=Channel.PHONE),  # first response met; decision due tomorrow 10:00
    }
    cards["withdrawn"] = walk(register(channel=Channel.EMAIL), State.WITHDRAWN)  # no clock runs
    return cards


def listed(client, **query) -> list[str]:
    response = client.get(reverse("complaints:list"), query)
    assert response.status_code == 200
    return [row.select_one("td.number a").get_text() for row in page(response).select("table.complaints tbody tr")
            if row.select_one("td.number")]


def test_the_list_sorts_by_the_nearest_due_with_cards_without_clocks_last(client, three_cards, qms):
    client.force_login(qms)
    n = {name: card.number for name, card in three_cards.items()}
    # The withdrawn card, shown when asked for, has no running clock.
    assert listed(client, sort="due", set_aside="on") == [n["social"], n["phone"], n["email"], n["withdrawn"]]
    assert listed(client, sort="-due", set_aside="on") == [n["phone"], n["email"], n["social"], n["withdrawn"]]


def test_the_list_filters_at_risk_and_breached_and_colours_the_due_column(client, frozen, three_cards, qms):
    n = {name: card.number for name, card in three_cards.items()}
    client.force_login(qms)
    frozen(msk(2025, 3, 12, 10, 50))
    assert listed(client, deadline="at_risk") == [n["social"]]
    assert listed(client, deadline="breached") == []
    response = client.get(reverse("complaints:list"), {"sort": "due", "set_aside": "on"})
    due = [row.select_one("td.due") for row in page(response).select("table.complaints tbody tr")]
    assert [cell.select_one(".badge")["class"][1] if cell.select_one(".badge") else None for cell in due] == [
        "deadline-at_risk", "deadline-on_track", "deadline-on_track", None,
    ]
    assert due[0].time["datetime"] == "2025-03-12T11:00:00+03:00" and text(due[3]) == "—"

    frozen(msk(2025, 3, 13, 10))
    client.force_login(qms)
    assert set(listed(client, deadline="breached")) == {n["email"], n["social"], n["phone"]}
    assert listed(client, deadline="breached", sort="due", q="Товар") == [n["social"], n["phone"], n["email"]]
    assert len(listed(client, set_aside="on")) == 4  # "any"


def test_the_due_column_shows_a_wait_and_an_overdue_measure(client, frozen, register, walk, qms):
    frozen(WEDNESDAY)
    waiting = register(channel=Channel.EMAIL)
    waiting_start(complaint=waiting, actor=qms, reason="Ждём фото")
    late = walk(register(channel=Channel.PHONE), State.IN_PROGRESS)  # its measure is due in 7 days
    frozen(msk(2025, 3, 20, 9))
    client.force_login(qms)
    response = client.get(reverse("complaints:list"))
    cells = {
        row.select_one("td.number").get_text(): text(row.select_one("td.due"))
        for row in page(response).select("table.complaints tbody tr")
    }
    assert cells == {waiting.number: "Waiting for the customer", late.number: "Measure overdue"}
    # Each filter looks at its own deadlines: the card's, or its measures'.
    assert listed(client, deadline="breached") == []
    assert listed(client, overdue="on") == [late.number]
    assert listed(client, sort="due") == [late.number, waiting.number]  # neither has a ticking clock


def test_the_list_with_the_deadline_sort_and_filter_costs_the_same_for_more_cards(client, frozen, register, qms):
    frozen(WEDNESDAY)
    register(channel=Channel.EMAIL)
    client.force_login(qms)
    query = {"sort": "due", "deadline": "at_risk"}
    frozen(msk(2025, 3, 13, 5))
    client.get(reverse("complaints:list"), query)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:list"), query)
    frozen(WEDNESDAY)
    for i in range(12):
        register(channel=Channel.EMAIL, wording=f"Ещё одна жалоба {i}")
    frozen(msk(2025, 3, 13, 5))
    client.force_login(qms)
    assert len(listed(client, **query)) == 13
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("complaints:list"), query)
    assert len(many) == len(few)


# My deadlines


def test_my_deadlines_shows_my_cards_and_measures_breached_first(
    client, frozen, register, walk, qms, responsible, executor, make_user,
):
    frozen(WEDNESDAY)
    social = register(channel=Channel.SOCIAL)
    email = register(channel=Channel.EMAIL)
    in_progress = walk(register(channel=Channel.PHONE), State.IN_PROGRESS)
    for card in (social, email):
        complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    someone_else = register(channel=Channel.SOCIAL)
    complaint_transition(
        complaint=someone_else, name="assign", actor=qms,
        data={"responsible": make_user("responsible2", "responsible")},
    )

    frozen(msk(2025, 3, 12, 12))
    client.force_login(responsible)
    response = client.get(reverse("deadlines:mine"))
    assert response.status_code == 200
    groups = page(response).select("section.my-deadlines")
    assert [g["id"] for g in groups] == ["group-breached", "group-on_track"]
    breached = groups[0].select("tr.deadline")
    assert [(r["data-complaint"], text(r.select("td")[1])) for r in breached] == [(social.number, "First response")]
    assert "1 hour late" in text(breached[0])
    assert breached[0].a["href"] == card_url(social)
    numbers = {r["data-complaint"] for r in page(response).select("tr.deadline")}
    assert numbers == {social.number, email.number}  # the phone card's decision was met; not someone else's

    client.force_login(executor)
    rows = page(client.get(reverse("deadlines:mine"))).select("tr.deadline")
    assert [(r["data-complaint"], text(r.select("td")[1])) for r in rows] == [
        (in_progress.number, "Measure: Заменить товар"),
    ]

    client.force_login(qms)
    response = client.get(reverse("deadlines:mine"))
    assert "No running deadlines of yours." in text(page(response).select_one("#no-deadlines"))


def test_my_deadlines_needs_a_login_and_is_in_the_menu(client, responsible):
    response = client.get(reverse("deadlines:mine"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(responsible)
    menu = page(client.get(reverse("complaints:list"))).select_one("header nav")
    assert menu.find("a", href=reverse("deadlines:mine")).get_text() == "My deadlines"


def test_my_deadlines_costs_the_same_for_more_rows(client, frozen, register, qms, responsible):
    frozen(WEDNESDAY)
    assign = lambda card: complaint_transition(  # noqa: E731
        complaint=card, name="assign", actor=qms, data={"responsible": responsible},
    )
    assign(register())
    client.force_login(responsible)
    client.get(reverse("deadlines:mine"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("deadlines:mine"))
    for _ in range(5):
        assign(register(channel=Channel.SOCIAL))
    assert len(page(client.get(reverse("deadlines:mine"))).select("tr.deadline")) == 12
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("deadlines:mine"))
    assert len(many) == len(few)


def test_the_two_overdue_filters_say_which_deadlines_they_look_at(client, qms):
    client.force_login(qms)
    filters = page(client.get(reverse("complaints:list"))).select_one("form.filters")
    card = filters.select_one("select[name=deadline]")
    assert text(filters.select_one(f"label[for={card['id']}]")) == "Card deadline"
    assert card["title"].startswith("The card's own deadlines (first response, decision, answer)")
    measure = filters.select_one("input[name=overdue]")
    assert text(measure.parent) == "Measure overdue"
    assert measure["title"].startswith("Open cards with a measure not reported done by its due date.")
