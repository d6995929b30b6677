"""Browser fixtures for the end-to-end tests: Debian's chromium driven by Playwright's sync API.

The browser is never downloaded (no `playwright install`): the tests use /usr/bin/chromium and
are skipped when it is missing, unless AMENDS_REQUIRE_BROWSER is set (CI), where they fail.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise refuse
# the ORM calls the tests make between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 10_000
PASSWORD = "e2e-Secret-42"


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium) - the browser tests need it"
    if os.environ.get("AMENDS_REQUIRE_BROWSER"):
        pytest.fail(reason + "; AMENDS_REQUIRE_BROWSER is set, so this is an error", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def people(reference_data_restored):
    """One user per role of the walk-through, with full names and a known password."""
    from django.contrib.auth.models import Group

    from amends.accounts.models import User
    from amends.accounts.roles import Role

    def make(username: str, first: str, last: str, role: str) -> User:
        user = User.objects.create_user(
            username=username, password=PASSWORD, first_name=first, last_name=last,
        )
        user.groups.set([Group.objects.get(name=role)])
        return user

    return {
        "operator": make("olga", "Olga", "Operatorova", Role.OPERATOR),
        "responsible": make("roman", "Roman", "Rostov", Role.RESPONSIBLE),
        "executor": make("egor", "Egor", "Ivlev", Role.EXECUTOR),
        "qms": make("queen", "Kira", "Qualitova", Role.QMS_HEAD),
    }


def watch(page, who: str, errors: list[str]) -> None:
    """Collect the page's uncaught errors and what the browser refused under the CSP (it says so in the console)."""
    page.on("pageerror", lambda error: errors.append(f"{who}: {error}"))
    page.on("console", lambda message: errors.append(f"{who}: {message.text}")
            if "Content Security Policy" in message.text else None)


@pytest.fixture
def login_as(chromium_browser, live_server) -> Iterator[Callable]:
    """`login_as(user)`: a page in a fresh browser context, signed in through /login/."""
    contexts = []
    page_errors: list[str] = []

    def login(user):
        # English in the browser, so that the labels the tests read are the source strings.
        context = chromium_browser.new_context(
            base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 1000},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch(page, user.username, page_errors)
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("section.login form button[type=submit]")
        assert "/login/" not in page.url, f"{user.username} could not log in"
        return page

    # Uncaught JavaScript errors and Content-Security-Policy violations on any page, for the test to check.
    login.page_errors = page_errors
    yield login
    for context in contexts:
        context.close()


def action_plan_and_complete(page, owner_pk: int, description: str, due) -> None:
    """On a record's page: plan one action (owner, what, due date), then say the plan is complete."""
    page.click("#action-plan-form summary")
    form = page.locator("#action-plan-form form")
    form.locator("select[name=owner]").select_option(str(owner_pk))
    form.locator("textarea[name=description]").fill(description)
    form.locator("input[name=due_date]").fill(due.isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    with page.expect_navigation():
        page.click("#section-actions form[action$='/actions/complete/'] button")


def action_report_done(page, action_pk: int, report: str) -> None:
    """On a record's page: the action's report, marked done."""
    row_forms = page.locator(f"#action-{action_pk} + tr")
    row_forms.locator("summary").first.click()
    row_forms.locator("textarea[name=report]").fill(report)
    row_forms.locator("input[name=done]").check()
    with page.expect_navigation():
        row_forms.locator("button[type=submit]").first.click()
