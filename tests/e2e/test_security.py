"""Login protection and the CSP in a real browser: two-factor set up and used, pages render with no violation."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from amends.accounts.models import User

from .conftest import PASSWORD, TIMEOUT_MS, watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code(device: TOTPDevice) -> str:
    # The code just used for enrolment is not accepted twice; the test stands in for the next 30 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_two_factor_and_pages_under_the_csp(chromium_browser, live_server, login_as, reference_data_restored):
    admin = User.objects.create_superuser("ada", "ada@example.com", PASSWORD, first_name="Ada")
    page = login_as(admin)
    errors = login_as.page_errors

    # Pages with scripts, styles and third-party UI, none of which may trip the policy.
    for url in ["/complaints/", "/notifications/", "/admin/", "/admin/accounts/user/", "/complain/"]:
        response = page.goto(url)
        assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    # Enrol an authenticator from the account page: the QR code renders and the key is shown.
    page.goto("/complaints/")
    page.click("a.who")
    page.click("#two-factor button[type=submit]")
    expect(page.locator("#totp-secret")).to_be_visible()
    page.wait_for_function("() => { const img = document.querySelector('img.totp-qr'); "
                           "return img.complete && img.naturalWidth > 0; }")
    device = TOTPDevice.objects.get(user=admin)
    page.fill("#two-factor input[name=otp_token]", code(device))
    page.click("#two-factor button[type=submit]")
    expect(page.locator("#two-factor .state-on")).to_be_visible()

    # A new browser: the password leads to the code step, the code to the admin it asked for.
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    second = context.new_page()
    watch(second, "ada (second browser)", errors)
    second.goto("/admin/")
    assert "/login/" in second.url
    second.fill("#id_username", "ada")
    second.fill("#id_password", PASSWORD)
    with second.expect_navigation():
        second.click("section.login form button[type=submit]")
    assert second.url.endswith("/login/code/")
    second.fill("input[name=otp_token]", code(device))
    with second.expect_navigation():
        second.click("section.login form button[type=submit]")
    assert second.url.endswith("/admin/")
    expect(second.locator("#site-name")).to_be_visible()
    context.close()
    assert errors == []
