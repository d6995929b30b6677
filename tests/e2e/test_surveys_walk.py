"""Issue 17's "Done when", walked in the browser: an administrator turns the surveys on; the head of
the QMS creates and starts a campaign for chosen customers; the worker's job sends the invitations;
two customers answer behind their personal links on a phone (390 px, no login) — one with K below 8
who would not recommend us, one with K exactly 8; the link does not take a second answer and a forged
one is refused; the responsible manager closes the call-back and the low-K follow-up from the
follow-ups page and My deadlines; the head of the QMS types in a paper answer, reads the report (K,
the norms, the matrix with its priority, the suggestion), downloads it as XLSX and PDF, and reads the
customer's K and loyalty history.

Reference data (customers, their cards, the questionnaire) is made directly: the UI under test is
the surveys'."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.choices import Channel, Loyalty, State
from amends.complaints.models import Complaint
from amends.complaints.services.registration import complaint_register
from amends.customers.models import Organisation, OrganisationKind
from amends.customers.services import contact_create
from amends.surveys.choices import FollowUpKind, FollowUpState, InvitationState, ResponseSource
from amends.surveys.defaults import load_default_questionnaire
from amends.surveys.models import (
    Campaign,
    Criterion,
    FollowUp,
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from amends.surveys.models.policy import policy
from amends.surveys.sending import invitations_send

from .conftest import PASSWORD, TIMEOUT_MS, watch
from .test_walkthrough import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
REGION = "Пермский край"
LINK = re.compile(r"https?://[^/\s]+(/survey/[^/\s]+/[^/\s]+/)(?=\s)")


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def customer(name: str, email: str, organisation: str, region: str, *, phone: str = "", address: str = ""):
    contact = contact_create(full_name=name, email=email, phone=phone, address=address, organisation_name=organisation)
    Organisation.objects.filter(pk=contact.organisation_id).update(kind=OrganisationKind.COMMERCIAL, region=region)
    return contact


def card(operator, contact, responsible) -> Complaint:
    complaint = complaint_register(
        actor=operator, channel=Channel.PHONE, contact=contact, wording="Поставка задержана на неделю.",
    )
    Complaint.objects.filter(pk=complaint.pk).update(responsible=responsible)
    return complaint


def answer(page, criteria: dict[str, Criterion], ratings: dict[str, tuple[int, int]], recommends: str,
           continues: str, suggestion: str = "") -> None:
    """Fill the questionnaire's form: each criterion's score and importance, the two loyalty questions."""
    for key, (score, importance) in ratings.items():
        page.select_option(f"[name=score_{criteria[key].pk}]", str(score))
        page.select_option(f"[name=importance_{criteria[key].pk}]", str(importance))
    page.check(f"[name=recommends][value='{recommends}']")
    page.check(f"[name=continues][value='{continues}']")
    if suggestion:
        page.fill("[name=suggestion]", suggestion)


def test_surveys_walked_from_the_settings_to_the_report(chromium_browser, live_server, people):
    admin = User.objects.create_user(username="ada", password=PASSWORD, first_name="Ada", is_staff=True)
    admin.groups.set([Group.objects.get(name=Role.ADMINISTRATOR)])
    qms, manager, operator = people["qms"], people["responsible"], people["operator"]
    if not Questionnaire.objects.exists():
        load_default_questionnaire(Questionnaire, QuestionnaireVersion, Criterion)
    questionnaire = Questionnaire.objects.get()
    criteria = {c.key: c for c in questionnaire.current_version().criteria.all()}

    unhappy = customer("Петров Пётр", "petrov@example.ru", "ООО «Альфа»", REGION)
    content = customer("Сидорова Анна", "sidorova@example.ru", "ООО «Бета»", REGION)
    by_post = customer("Кузнецов Олег", "", "ООО «Гамма»", REGION, phone="+7 342 200-00-00",
                       address="Пермь, ул. Ленина, 1")
    elsewhere = customer("Москвин Илья", "moskvin@example.ru", "ООО «Дельта»", "Москва")
    unhappy_card = card(operator, unhappy, manager)
    for contact in (content, by_post, elsewhere):
        card(operator, contact, manager)
    # The unhappy customer's card was closed earlier with their satisfaction: the loyalty history's other half.
    Complaint.objects.filter(pk=unhappy_card.pk).update(
        state=State.CLOSED, satisfaction=6, loyalty=Loyalty.STAYS, closed_at=timezone.now() - timedelta(days=2),
    )

    errors: list[str] = []

    def context(viewport: dict):
        made = chromium_browser.new_context(base_url=live_server.url, locale="en-US", viewport=viewport)
        made.set_default_timeout(TIMEOUT_MS)
        page = made.new_page()
        watch(page, str(viewport["width"]), errors)
        # Console errors too, except the browser's note on the status of the pages meant to be 404 and 410.
        page.on("console", lambda message: errors.append(f"console: {message.text}")
                if message.type == "error" and "status of 4" not in message.text else None)
        return page

    def login(user, viewport=DESK):
        page = context(viewport)
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("section.login form button[type=submit]")
        assert "/login/" not in page.url, user.username
        return page

    # 1. The administrator turns the surveys on.
    admin_page = login(admin)
    admin_page.goto("/surveys/settings/")
    expect(admin_page.locator(".survey-notice")).to_be_visible()
    admin_page.select_option("#id_post_resolution", str(questionnaire.pk))
    admin_page.select_option("#id_periodic", str(questionnaire.pk))
    submit(admin_page, admin_page.locator("form.survey-settings button[type=submit]"))
    expect(admin_page.locator(".survey-notice")).to_have_count(0)
    assert policy().post_resolution_id == questionnaire.pk == policy().periodic_id
    admin_page.context.close()

    # 2. The head of the QMS chooses the customers of the region, previews, creates and starts the campaign.
    head = login(qms)
    head.goto("/surveys/campaigns/new/")
    head.select_option("#id_kind", "manual")
    head.select_option("#id_questionnaire", str(questionnaire.pk))
    head.fill("#id_name", "Пермь, декабрь")
    head.select_option("#id_organisation_kind", OrganisationKind.COMMERCIAL)
    head.fill("#id_region", REGION)
    submit(head, head.locator("button[name=preview]"))
    preview = head.locator(".campaign-preview")
    expect(preview).to_contain_text("2 customers will get the questionnaire by e-mail or messenger")
    expect(preview).to_contain_text("1 of them can be asked by post, fax or phone")
    submit(head, head.locator("button[name=create]"))
    campaign = Campaign.objects.get(name="Пермь, декабрь")
    assert head.url.endswith(f"/surveys/campaigns/{campaign.pk}/")
    assert set(campaign.invitations.values_list("contact__full_name", flat=True)) == {
        "Петров Пётр", "Сидорова Анна", "Кузнецов Олег",
    }
    submit(head, head.locator("form[action$='/start/'] button"))

    # 3. The worker's job: the start queued it (tasks run at once in the tests); a second run sends nothing twice.
    assert sorted(message.to[0] for message in mail.outbox) == ["petrov@example.ru", "sidorova@example.ru"]
    assert invitations_send(campaign_id=campaign.pk).sent == 0 and len(mail.outbox) == 2
    campaign.refresh_from_db()
    assert campaign.state == "sent"
    links = {message.to[0]: LINK.search(message.body).group(1) for message in mail.outbox}
    head.reload()
    expect(head.locator("#campaign-states")).to_contain_text("2")
    expect(head.locator("#campaign-to-ask")).to_contain_text("Кузнецов Олег")

    # 4. The customers answer on their phones, not signed in.
    phone = context(PHONE)
    first = links["petrov@example.ru"]
    assert phone.goto(first).status == 200
    expect(phone.locator("html")).to_have_attribute("lang", "ru")
    expect(phone.locator("body.public a[href^='/surveys/'], body.public a[href^='/complaints/']")).to_have_count(0)
    fits(phone)
    # reliability 5×10, delivery 6×8, courtesy 9×5, handling 7×6: K = 185 / 29 = 6.38, would not recommend.
    answer(phone, criteria, {"reliability": (5, 10), "delivery": (6, 8), "courtesy": (9, 5), "handling": (7, 6)},
           "no", "yes", "Звоните перед отгрузкой")
    assert submit(phone, phone.locator("button[type=submit]")) == 200
    assert phone.url.endswith(f"{first}thanks/")
    fits(phone)
    # Each rated 8: K = 8 exactly, not below the threshold; this customer reads it in English.
    second = links["sidorova@example.ru"]
    phone.goto(second + "?lang=en")
    expect(phone.locator("h1")).to_contain_text("Customer satisfaction")
    answer(phone, criteria, {key: (8, 10 if key in ("reliability", "delivery") else 5) for key in criteria},
           "yes", "yes")
    submit(phone, phone.locator("button[type=submit]"))
    expect(phone.locator("h1")).to_contain_text("Thank you for your answers")
    fits(phone)
    # The link again, and a forged one.
    assert phone.goto(first + "?lang=en").status == 410
    expect(phone.locator("h1")).to_contain_text("You have already answered")
    fits(phone)
    key = first.strip("/").split("/")[1]
    assert phone.goto(f"/survey/{key}/forged-signature/?lang=en").status == 404
    expect(phone.locator("h1")).to_contain_text("This link is not valid")
    fits(phone)
    answered = {i.contact.email: i.response for i in Invitation.objects.filter(state=InvitationState.ANSWERED)}
    assert {email: str(response.k) for email, response in answered.items()} == {
        "petrov@example.ru": "6.3793", "sidorova@example.ru": "8.0000",
    }
    assert FollowUp.objects.filter(response__contact=content).count() == 0  # K = 8 opens nothing
    low_k = FollowUp.objects.get(response__contact=unhappy, kind=FollowUpKind.LOW_K)
    call_back = FollowUp.objects.get(response__contact=unhappy, kind=FollowUpKind.CALL_BACK)
    assert low_k.owner == call_back.owner == manager

    # 5. The responsible manager: both in the follow-ups and in My deadlines; closes them.
    mine = login(manager)
    mine.goto("/surveys/follow-ups/")
    rows = mine.locator("table.survey-followups tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("6.38")
    mine.goto("/deadlines/mine/")
    expect(mine.locator(f"a[href='/surveys/follow-ups/{call_back.pk}/']")).to_have_count(1)
    with mine.expect_navigation():
        mine.locator(f"a[href='/surveys/follow-ups/{low_k.pk}/']").click()
    expect(mine.locator("#pulling-down tbody tr")).to_have_count(3)  # reliability, delivery, handling
    expect(mine.locator("#pulling-down tbody tr").first).to_contain_text("Product and equipment reliability")
    mine.check("[name=measures][value='equipment']")
    submit(mine, mine.locator("form.followup-close button[type=submit]"))
    expect(mine.locator("#result")).to_be_visible()
    mine.goto(f"/surveys/follow-ups/{call_back.pk}/")
    submit(mine, mine.locator("form.followup-close button[type=submit]"))
    expect(mine.locator(".errors, .error").first).to_be_visible()  # the reason and the result are needed
    mine.fill("[name=reason]", "Отгрузка опоздала дважды")
    mine.fill("[name=suggestion]", "Предупреждать о задержке заранее")
    mine.fill("[name=result]", "Перезвонили, согласовали график поставок")
    submit(mine, mine.locator("form.followup-close button[type=submit]"))
    expect(mine.locator("#result")).to_contain_text("Отгрузка опоздала дважды")
    assert set(FollowUp.objects.values_list("state", flat=True)) == {FollowUpState.DONE}
    mine.goto("/deadlines/mine/")
    expect(mine.locator("a[href^='/surveys/follow-ups/']")).to_have_count(0)
    mine.context.close()

    # 6. The head of the QMS types in the answer that came by post, from the campaign's list.
    head.goto(f"/surveys/campaigns/{campaign.pk}/")
    with head.expect_navigation():
        head.locator("#campaign-to-ask a").click()
    expect(head.locator("#entry-contact")).to_contain_text("Кузнецов Олег")
    head.select_option("[name=source]", ResponseSource.PAPER)
    # reliability 9×9, delivery 7×9, courtesy 10×4, handling 9×3: K = 211 / 25 = 8.44.
    answer(head, criteria, {"reliability": (9, 9), "delivery": (7, 9), "courtesy": (10, 4), "handling": (9, 3)},
           "yes", "yes")
    submit(head, head.locator("form.survey-form button[type=submit]"))
    paper = Response.objects.get(contact=by_post)
    assert paper.source == ResponseSource.PAPER and paper.entered_by == qms
    assert Invitation.objects.get(contact=by_post).state == InvitationState.ANSWERED

    # 7. The report: K = (185/29 + 8 + 8.44) / 3 = 7.61; 1 of 3 would not recommend (33.3 % > 20 %).
    head.goto("/surveys/reports/")
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    figures = head.locator("#figures dd")
    expect(figures.nth(0)).to_have_text("3")
    expect(figures.nth(1).locator("strong")).to_have_text("7.61")
    expect(figures.nth(1).locator(".surveys-breach")).to_be_visible()  # below the threshold of 8
    expect(figures.nth(2)).to_have_text("1")
    expect(figures.nth(3)).to_contain_text("33.3 % (1 of 3; norm at most 20 %)")
    expect(figures.nth(3).locator(".surveys-breach")).to_be_visible()
    expect(figures.nth(4)).to_contain_text("0.0 % (0 of 3; norm at most 30 %)")
    expect(figures.nth(4).locator(".surveys-within")).to_be_visible()
    expect(head.locator("#quarters tr", has_text=quarter)).to_contain_text("7.61")
    # reliability: score (5+8+9)/3 = 7.33, importance (10+10+9)/3 = 9.67; delivery 7.00 and 9.00: priorities.
    priority = head.locator("#criteria tr.surveys-priority")
    expect(priority).to_have_count(2)
    expect(priority.first).to_contain_text("7.33")
    expect(head.locator("#matrix td.surveys-priority", has_text="Delivery times")).to_have_count(1)
    expect(head.locator("#suggestions li")).to_have_count(1)
    expect(head.locator("#suggestions")).to_contain_text("Звоните перед отгрузкой")
    with head.expect_download() as download:
        head.locator("a[href^='/surveys/reports.xlsx']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as workbook:
        assert workbook.read(2) == b"PK"
    pdf = head.request.get(head.locator("a[href^='/surveys/reports.pdf']").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # 8. The customer's page: K history and the loyalty history (the closing record and the answer).
    head.goto(f"/surveys/customers/{unhappy.pk}/")
    expect(head.locator("#k-history tbody tr")).to_have_count(1)
    expect(head.locator("#k-history")).to_contain_text("6.38")
    expect(head.locator("#customer-k svg")).to_have_count(1)
    expect(head.locator("#loyalty-history tbody tr")).to_have_count(2)
    head.set_viewport_size(PHONE)
    fits(head)

    assert not errors, errors
