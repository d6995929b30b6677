"""An administrator brings a journal in on a phone (390 px): uploads the CSV, takes the guessed columns and
saves them as a mapping, reads the preview with its problems, starts the import, and downloads the rejects
file from the result; a run in progress is followed by its bar, refreshed by htmx under the CSP."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from amends.accounts.models import User
from amends.imports.models import ImportMapping, ImportRun, ImportStatus
from amends.imports.tests.test_screen import JOURNAL

from .conftest import PASSWORD, TIMEOUT_MS, watch
from .test_walkthrough import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


@pytest.fixture
def admin_page(reference_data_restored, chromium_browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = User.objects.create_user(username="ada", password=PASSWORD, first_name="Ada", is_superuser=True,
                                     is_staff=True, language="en")
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE,
                                           accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    watch(page, "ada", errors)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("section.login form button[type=submit]")
    page.errors = errors
    yield page
    context.close()


def test_an_administrator_imports_a_journal_on_a_phone(admin_page, tmp_path):
    page = admin_page
    journal = tmp_path / "journal.csv"
    journal.write_text(JOURNAL, encoding="cp1251")
    page.goto("/imports/")
    expect(page.locator("table.imports-runs")).to_contain_text("Nothing has been imported yet.")
    fits(page)

    submit(page, page.get_by_role("link", name="Import a file"))
    page.set_input_files("#id_file", str(journal))
    submit(page, page.locator("form button[type=submit]", has_text="Upload"))
    expect(page.locator("h1")).to_have_text("Columns")
    expect(page.locator("#id_field_received_at")).to_have_value("Дата поступления")
    expect(page.locator("#id_field_wording")).to_have_value("Текст жалобы")
    fits(page)
    page.fill("#id_save_as", "Branch journal")
    submit(page, page.locator("form.imports-mapping button[type=submit]"))

    expect(page.locator("h1")).to_have_text("Preview")
    expect(page.locator("table.imports-preview tbody tr")).to_have_count(4)
    expect(page.locator("tr.imports-problem")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("2 rows have problems")
    fits(page)
    submit(page, page.get_by_role("button", name="Start the import"))

    run = ImportRun.objects.get()
    assert run.mapping == ImportMapping.objects.get(name="Branch journal")
    expect(page.locator("#import-progress")).to_contain_text("Done.")
    expect(page.locator(".imports-counts dt:has-text(\"Cards created\") + dd")).to_have_text("2")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rejects file").click()
    rejects = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "A-3" in rejects and "A-4" in rejects and "A-1" not in rejects
    fits(page)
    page.goto("/imports/")
    expect(page.locator("table.imports-runs tbody tr")).to_have_count(1)
    expect(page.locator("table.imports-runs")).to_contain_text("journal.csv")
    fits(page)
    assert not page.errors


def test_the_bar_follows_a_running_import(admin_page):
    page = admin_page
    run = ImportRun.objects.create(source="journal", original_name="big.csv", status=ImportStatus.RUNNING,
                                   rows_total=1000, rows_done=100)
    page.goto(f"/imports/{run.pk}/")
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "10")
    ImportRun.objects.filter(pk=run.pk).update(rows_done=600, created=590, rejected=10)
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "60")
    expect(page.locator("#import-progress")).to_contain_text("600 of 1000 rows read")
    fits(page)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.DONE, rows_done=1000, created=990)
    expect(page.locator("#import-progress")).to_contain_text("Done.")
    expect(page.locator("#import-progress progress")).to_have_count(0)
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-get", f"/imports/{run.pk}/")
    assert not page.errors
