"""The card's compensation panel, its forms and the QMS head's list of grants to approve."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from amends.answers.choices import GrantStatus
from amends.answers.compensation import compensation_grant, goods_price_set
from amends.answers.models import CompensationGrant, CompensationOption, GoodsPrice
from amends.complaints.choices import State
from amends.complaints.services import complaint_update
from amends.deadlines.choices import Preset
from amends.deadlines.services import card_preset_choose
from amends.deadlines.tests.conftest import msk


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def text(node) -> str:
    return " ".join(node.get_text(" ").replace("\xa0", " ").split()) if node else ""


def panel_of(client, complaint) -> BeautifulSoup:
    response = client.get(reverse("complaints:detail", args=[complaint.number]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("#panel-compensation")


def option(kind: str) -> CompensationOption:
    return CompensationOption.objects.get(kind=kind)


def grant_data(kind: str, value: str) -> dict:
    return {
        "compensation-option": option(kind).pk, "compensation-value": value,
        "compensation-method": "bank transfer", "compensation-due_date": timezone.localdate() + timedelta(days=2),
    }


@pytest.fixture
def assigned(walk):
    return walk(None, State.ASSIGNED)


def test_the_operator_sees_their_limits_and_grants_on_the_spot(client, complaint, operator):
    client.force_login(operator)
    assert panel_of(client, complaint).select_one("#compensation-form #fragment-compensation[data-fragment]")
    # The form and the limits, as the card fetches them when "Grant compensation" is opened.
    fetched = client.get(reverse("complaints:card_fragment", args=[complaint.number, "compensation"]))
    panel = BeautifulSoup(fetched.content, "html.parser")
    options = {o.text for o in panel.select("select[name=compensation-option] option") if o["value"]}
    assert option("gift").name in options and option("refund").name not in options
    limits = text(panel.select_one(".compensation-limits"))
    assert f"{option('voucher').name}: up to 2,000.00 RUB without approval" in limits
    response = client.post(reverse("answers:compensation_grant", args=[complaint.number]), grant_data("gift", "700"))
    assert response.status_code == 302
    made = CompensationGrant.objects.get()
    assert (made.status, made.value, made.granted_by) == (GrantStatus.APPROVED, Decimal("700"), operator)
    row = panel_of(client, complaint).select_one("tr.grant")
    assert row["data-status"] == "approved" and "700.00 RUB" in text(row) and "Operator" in text(row)


def test_an_option_outside_the_role_is_refused_with_the_form_open(client, complaint, operator):
    client.force_login(operator)
    response = client.post(reverse("answers:compensation_grant", args=[complaint.number]),
                           grant_data("refund", "100"))
    assert response.status_code == 400
    assert not CompensationGrant.objects.exists()
    form = BeautifulSoup(response.content, "html.parser").select_one("#compensation-form")
    assert form.has_attr("open") and "Select a valid choice" in text(form)


def test_a_stranger_may_not_post(client, complaint, executor):
    client.force_login(executor)
    response = client.post(reverse("answers:compensation_grant", args=[complaint.number]), grant_data("gift", "1"))
    assert response.status_code in (403, 404)
    assert not CompensationGrant.objects.exists()


def test_pending_then_approved_from_the_list_and_refused_on_the_card(client, assigned, responsible, qms):
    client.force_login(responsible)
    client.post(reverse("answers:compensation_grant", args=[assigned.number]), grant_data("voucher", "7000"))
    client.post(reverse("answers:compensation_grant", args=[assigned.number]), grant_data("refund", "25000"))
    first, second = CompensationGrant.objects.order_by("pk")
    assert first.status == second.status == GrantStatus.PENDING
    assert panel_of(client, assigned).select_one(".grant-decision") is None  # only the QMS head decides
    assert client.get(reverse("answers:compensation_pending")).status_code == 403

    client.force_login(qms)
    listing = BeautifulSoup(client.get(reverse("answers:compensation_pending")).content, "html.parser")
    assert [row["data-grant"] for row in listing.select("tr.grant")] == [str(first.pk), str(second.pk)]
    response = client.post(reverse("answers:compensation_approve", args=[assigned.number, first.pk]),
                           {"back": "pending"})
    assert response.status_code == 302 and response["Location"] == reverse("answers:compensation_pending")
    refuse = reverse("answers:compensation_refuse", args=[assigned.number, second.pk])
    assert client.post(refuse, {f"refuse-{second.pk}-reason": ""}).status_code == 400
    assert client.post(refuse, {f"refuse-{second.pk}-reason": "Too much for a late delivery."}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by, second.status) == (GrantStatus.APPROVED, qms, GrantStatus.REFUSED)
    rows = panel_of(client, assigned).select("tr.grant")
    assert "approved by Qms" in text(rows[0]) and "Too much for a late delivery." in text(rows[1])


def test_the_panel_shows_the_penalty_asks_for_the_price_and_offers_it(client, frozen, register, qms):
    frozen(msk(2025, 3, 12, 10))
    claim = complaint_update(complaint=register(), actor=qms, changes={"demand_presented_at": msk(2025, 3, 10, 15)})
    card_preset_choose(complaint=claim, actor=qms, preset=Preset.CONSUMER_REFUND)
    frozen(msk(2025, 3, 25, 10))  # 4 days and 19 hours late: 5 days
    client.force_login(qms)
    penalty = panel_of(client, claim).select_one("#statutory-penalty")
    assert "missed by 5 days" in text(penalty) and "Give the price of the goods" in text(penalty)
    response = client.post(reverse("answers:compensation_price", args=[claim.number]), {"goods-price-price": "8000"})
    assert response.status_code == 302
    panel = panel_of(client, claim)
    assert "1 % of 8,000.00 RUB × 5 = 400.00 RUB" in text(panel.select_one(".penalty-figure"))
    offer = panel.select_one("#penalty-grant")
    assert "Grant the penalty: 400.00 RUB" in text(offer)
    data = {field["name"]: field.get("value", "") for field in offer.select("input[type=hidden]")}
    assert client.post(offer["action"], data).status_code == 302
    made = CompensationGrant.objects.get()
    assert (made.option.kind, made.value, made.status) == ("penalty", Decimal("400.00"), GrantStatus.APPROVED)


def test_no_price_asked_without_a_missed_term(client, complaint, operator):
    client.force_login(operator)
    assert panel_of(client, complaint).select_one("#statutory-penalty") is None


def test_a_grant_ready_made_is_shown_to_the_manager_without_forms(client, complaint, operator, manager):
    compensation_grant(complaint=complaint, actor=operator, option=option("gift"), value=Decimal("300"),
                       method="in the shop", due_date=timezone.localdate(), note="")
    client.force_login(manager)
    panel = panel_of(client, complaint)
    assert panel.select_one("tr.grant") is not None and panel.select_one("form") is None


def test_a_price_is_kept_once_per_card(complaint, qms):
    goods_price_set(complaint=complaint, actor=qms, price=Decimal("100"))
    goods_price_set(complaint=complaint, actor=qms, price=Decimal("150"))
    assert GoodsPrice.objects.get(complaint=complaint).price == Decimal("150")
