"""An administrator, on a phone (390 px), defines a questionnaire — a criterion in three languages —
publishes it and turns the surveys on with it; the head of the QMS reads the pages. Each page fits
the phone's width."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.surveys.models import Questionnaire
from amends.surveys.models.policy import policy

from .conftest import PASSWORD
from .test_walkthrough import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = 390


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, page.url


def test_an_administrator_defines_and_publishes_a_questionnaire_on_a_phone(people, login_as):
    admin = User.objects.create_user(username="ada", password=PASSWORD, first_name="Ada", is_staff=True)
    admin.groups.set([Group.objects.get(name=Role.ADMINISTRATOR)])
    page = login_as(admin)
    page.set_viewport_size({"width": PHONE, "height": 844})

    page.goto("/surveys/questionnaires/")
    fits(page)
    page.fill("#id_new-name", "Сервис")
    page.fill("#id_new-name_en", "Service")
    submit(page, page.locator("form.survey-form button[type=submit]"))
    expect(page.locator("h1")).to_contain_text("version 1")
    fits(page)

    form = page.locator("#criterion-form")
    form.locator("[name=criterion-name]").fill("Сроки поставки")
    form.locator("[name=criterion-name_en]").fill("Delivery times")
    form.locator("[name=criterion-name_hy]").fill("Առաքման ժամկետներ")
    form.locator("[name=criterion-question_en]").fill("Do we deliver on time?")
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator("table.survey-criteria tbody tr")).to_have_count(1)
    expect(page.locator("table.survey-criteria")).to_contain_text("delivery-times")
    fits(page)
    submit(page, page.locator("form[action$='/publish/'] button"))
    expect(page.locator(".messages")).to_contain_text("Version 1 published")
    expect(page.locator("form input[name=form][value=next] + button")).to_be_visible()
    fits(page)

    page.goto("/surveys/settings/")
    expect(page.locator(".survey-notice")).to_contain_text("Surveys are off")
    fits(page)
    questionnaire = Questionnaire.objects.get(name="Сервис")
    page.select_option("#id_post_resolution", str(questionnaire.pk))
    submit(page, page.locator("form.survey-settings button[type=submit]"))
    expect(page.locator(".messages")).to_contain_text("Survey settings saved.")
    assert policy().post_resolution_id == questionnaire.pk
    assert not login_as.page_errors

    reader = login_as(people["qms"])
    reader.set_viewport_size({"width": PHONE, "height": 844})
    reader.goto(f"/surveys/questionnaires/{questionnaire.pk}/")
    expect(reader.locator("table.survey-versions tbody tr")).to_have_count(1)
    expect(reader.locator("button", has_text="Make the next version")).to_have_count(0)
    fits(reader)
