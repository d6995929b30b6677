"""Login protection: lockout per username and per address, Argon2 hashes, the two-factor code step."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

BASE_SETTINGS = Path(settings.BASE_DIR) / "config" / "settings" / "base.py"


def login(client, username, password, address="10.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_twenty_wrong_passwords_lock_the_username(operator):
    # Each guess from another address, so only the per-username count can stop them.
    for n in range(20):
        assert login(Client(), "operator", f"wrong-{n}", address=f"10.1.0.{n}").status_code in {200, 429}
    client = Client()
    response = login(client, "operator", "pw-operator", address="10.2.0.1")
    assert response.status_code == 429 and "locked-out" in response.content.decode()
    assert not logged_in(client)


def test_guessing_many_usernames_from_one_address_locks_the_address(operator):
    for n in range(20):
        login(Client(), f"someone-{n}", "wrong", address="10.3.0.1")
    client = Client()
    assert login(client, "operator", "pw-operator", address="10.3.0.1").status_code == 429
    assert not logged_in(client)
    # Another address is not affected.
    assert login(client, "operator", "pw-operator", address="10.3.0.2").status_code == 302
    assert logged_in(client)


def test_a_few_mistakes_do_not_lock_and_a_success_resets_the_count(operator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(), "operator", "wrong")
    client = Client()
    assert login(client, "operator", "pw-operator").status_code == 302 and logged_in(client)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(), "operator", "wrong")
    assert login(Client(), "operator", "pw-operator").status_code == 302


def test_admin_login_does_not_check_passwords_itself(administrator):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "pw-admin"})
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fadmin%2F"
    assert not logged_in(client)
    # The one login page takes the user to the admin, and its lockout covers it.
    response = login(client, "admin", "pw-admin", next="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_locked_out_user_gets_no_api_token_either(operator):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "operator", "wrong", address=f"10.4.0.{n}")
    response = Client().post(
        "/api/v1/auth/token/", {"username": "operator", "password": "pw-operator"},
        content_type="application/json", REMOTE_ADDR="10.4.1.1",
    )
    assert response.status_code == 429 and "token" not in response.json()
    body = response.json()
    assert body["code"] == "locked_out" and body["detail"]
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


@override_settings(AMENDS_API_TOKEN_RATE="off")
def test_the_wrong_password_that_reaches_the_limit_is_answered_429_by_the_api(operator):
    def ask(n: int):
        return Client().post("/api/v1/auth/token/", {"username": "operator", "password": f"wrong-{n}"},
                             content_type="application/json", REMOTE_ADDR=f"10.5.0.{n}")

    assert [ask(n).status_code for n in range(settings.AXES_FAILURE_LIMIT)][-2:] == [400, 429]
    # A locked-out address is told so whatever username it tries.
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/api/v1/auth/token/", {"username": f"nobody-{n}", "password": "x"},
                      content_type="application/json", REMOTE_ADDR="10.6.0.1")
    response = Client().post("/api/v1/auth/token/", {"username": "manager", "password": "x"},
                             content_type="application/json", REMOTE_ADDR="10.6.0.1")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"


def test_old_password_hashes_are_rewritten_as_argon2_at_login(operator):
    hashers = runpy.run_path(str(BASE_SETTINGS))["PASSWORD_HASHERS"]
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        operator.set_password("pw-operator")
        operator.save()
    assert operator.password.startswith("pbkdf2_sha256$")
    with override_settings(PASSWORD_HASHERS=hashers):
        client = Client()
        assert login(client, "operator", "pw-operator").status_code == 302
    operator.refresh_from_db()
    assert operator.password.startswith("argon2$")


@pytest.fixture
def base_settings(tmp_path, monkeypatch):
    """The production settings module as read with the given environment."""
    monkeypatch.setenv("AMENDS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x" * 60)

    def read(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(BASE_SETTINGS))

    return read


def test_session_expiry_comes_from_the_environment(base_settings):
    default = base_settings()
    assert default["SESSION_COOKIE_AGE"] == 14 * 24 * 3600 and not default["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert not default["SESSION_COOKIE_SECURE"] and default["SECURE_HSTS_SECONDS"] == 0
    configured = base_settings(SESSION_COOKIE_AGE="3600", SESSION_EXPIRE_AT_BROWSER_CLOSE="1", HTTPS="1")
    assert configured["SESSION_COOKIE_AGE"] == 3600 and configured["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert configured["SESSION_COOKIE_SECURE"] and configured["CSRF_COOKIE_SECURE"]
    assert configured["SECURE_SSL_REDIRECT"] and configured["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600


# ---------------------------------------------------------------- two-factor


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def fresh(device: TOTPDevice) -> TOTPDevice:
    """The device as if the last code were from a while ago, so that the same code counts again."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return TOTPDevice.objects.get(pk=device.pk)


def enrol(client) -> TOTPDevice:
    client.post(reverse("account"), {"action": "start"})
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("account"), {"action": "confirm", "otp_token": code(device)})
    assert response.status_code == 302
    return TOTPDevice.objects.get(pk=device.pk)


def test_enrolling_shows_the_key_and_qr_and_takes_a_code(client, operator):
    client.force_login(operator)
    page = client.get(reverse("account")).content.decode()
    assert "Set up two-factor" in page or 'value="start"' in page
    client.post(reverse("account"), {"action": "start"})
    device = TOTPDevice.objects.get(user=operator)
    page = client.get(reverse("account")).content.decode()
    assert 'id="totp-secret"' in page and reverse("account_totp_qr") in page
    qr = client.get(reverse("account_totp_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    response = client.post(reverse("account"), {"action": "confirm", "otp_token": "000000"})
    assert response.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    device = fresh(device)
    assert client.post(reverse("account"), {"action": "confirm", "otp_token": code(device)}).status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # Once confirmed, the key is not shown again.
    assert client.get(reverse("account_totp_qr")).status_code == 404
    assert 'id="totp-secret"' not in client.get(reverse("account")).content.decode()


def test_with_two_factor_on_the_password_alone_does_not_log_in(operator):
    setup = Client()
    setup.force_login(operator)
    device = fresh(enrol(setup))
    client = Client()
    response = login(client, "operator", "pw-operator", next="/customers/")
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert not logged_in(client)
    response = client.post(reverse("login_code"), {"otp_token": "123456" if code(device) != "123456" else "654321"})
    assert response.status_code == 200 and not logged_in(client)
    device = fresh(device)
    response = client.post(reverse("login_code"), {"otp_token": code(device)})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert logged_in(client)


def test_the_code_step_gives_up_after_a_few_wrong_codes(operator):
    setup = Client()
    setup.force_login(operator)
    device = enrol(setup)
    client = Client()
    login(client, "operator", "pw-operator")
    for _ in range(5):
        fresh(device)
        client.post(reverse("login_code"), {"otp_token": "000000" if code(device) != "000000" else "111111"})
    device = fresh(device)
    response = client.post(reverse("login_code"), {"otp_token": code(device)})
    assert response["Location"] == reverse("login") and not logged_in(client)


def test_the_admin_asks_for_the_code_of_a_user_with_two_factor(administrator):
    setup = Client()
    setup.force_login(administrator)
    device = fresh(enrol(setup))
    # A session that never gave a code (here: logged in before the device existed) is not let in.
    unverified = Client()
    unverified.force_login(administrator)
    assert unverified.get("/admin/").status_code == 302
    client = Client()
    login(client, "admin", "pw-admin", next="/admin/")
    response = client.post(reverse("login_code"), {"otp_token": code(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_turning_two_factor_off_takes_a_code(client, operator):
    client.force_login(operator)
    device = fresh(enrol(client))
    client.post(reverse("account"), {"action": "disable", "otp_token": "bad"})
    assert TOTPDevice.objects.filter(user=operator).exists()
    client.post(reverse("account"), {"action": "disable", "otp_token": code(device)})
    assert not TOTPDevice.objects.filter(user=operator).exists()


def test_with_two_factor_on_an_api_token_takes_the_code_too(operator):
    setup = Client()
    setup.force_login(operator)
    device = fresh(enrol(setup))
    url, password = "/api/v1/auth/token/", {"username": "operator", "password": "pw-operator"}
    response = Client().post(url, password, content_type="application/json")
    assert response.status_code == 400 and "otp_token" in str(response.json()), response.json()
    response = Client().post(url, {**password, "otp_token": code(device)}, content_type="application/json")
    assert response.status_code == 200 and response.json()["token"]


@override_settings(AMENDS_TRUSTED_PROXIES=1)
def test_a_proxy_that_forwards_no_address_does_not_break_logins(operator):
    # Proxies write "unknown"; PostgreSQL's inet column of the attempt log would refuse it.
    from amends.core.addresses import client_address

    client = Client()
    response = client.post(reverse("login"), {"username": "operator", "password": "pw-operator"},
                           HTTP_X_FORWARDED_FOR="unknown")
    assert response.status_code == 302 and logged_in(client)
    request = type("Request", (), {"META": {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4, ::1"}})
    assert client_address(request) == "::1"
