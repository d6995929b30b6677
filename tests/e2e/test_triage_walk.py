"""Triage in a real browser: an operator opens a new card, sees the suggested category with its
confidence, and accepts it with one click."""

import pytest
from playwright.sync_api import expect

from amends.complaints.choices import Channel
from amends.complaints.models import Category, Complaint
from amends.customers.services import contact_create
from amends.triage.models import FlagLabel, KeywordRule, Suggestion, SuggestionStatus, TriageField

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def card_opened(login_as, operator, wording: str):
    """A card the operator registered by phone, open in their browser: the card and the page."""
    from amends.complaints.services import complaint_register

    card = complaint_register(
        actor=operator, channel=Channel.PHONE, contact=contact_create(full_name="Анна Смирнова"), wording=wording,
    )
    page = login_as(operator)
    page.goto(f"/complaints/{card.number}/")
    return card, page


def test_an_operator_accepts_the_suggested_category(login_as, people):
    delivery = Category.objects.create(name="Задержка доставки", name_en="Late delivery")
    KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(delivery.pk), keywords="доставка\nкурьер")
    card, page = card_opened(login_as, people["operator"], "Доставка опоздала на три дня, курьер не позвонил.")
    row = page.locator("#triage tr[data-field=category]").first
    expect(row).to_contain_text("Late delivery")
    expect(row).to_contain_text("67 %")
    expect(row).to_contain_text("Suggested")
    with page.expect_navigation():
        page.locator("#triage tr.triage-decide[data-field=category] button[name=accept]").click()
    expect(page.locator("#triage tr[data-field=category]").first).to_contain_text("Accepted")
    expect(page.locator("dl.fields")).to_contain_text("Late delivery")
    assert Complaint.objects.get(pk=card.pk).category == delivery
    assert Suggestion.objects.get(complaint=card, field="category").status == SuggestionStatus.ACCEPTED
    assert not login_as.page_errors


def test_an_operator_takes_a_wrong_negative_flag_off(login_as, people):
    card, page = card_opened(login_as, people["operator"], "Прошу вернуть деньги за заказ 77 на карту.")
    panel = page.locator("#triage-flags")
    expect(panel.locator("li[data-flag=negative]")).to_contain_text("вернуть")
    expect(panel).to_contain_text("no learned model yet because no model has been trained yet")
    with page.expect_navigation():
        panel.locator("form.negative-mark button[value='0']").click()
    expect(panel.locator("li[data-flag=negative]")).to_have_count(0)
    expect(panel).to_contain_text("marked the wording not negative")
    assert not FlagLabel.objects.get(complaint=card).present
    assert not login_as.page_errors
