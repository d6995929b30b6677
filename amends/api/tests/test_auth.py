from datetime import UTC, datetime, timedelta

import time_machine

from amends.complaints.choices import Channel

TOKEN_URL = "/api/v1/auth/token/"


def test_token_for_username_and_password_opens_the_api(api, operator):
    response = api().post(TOKEN_URL, {"username": "operator", "password": "pw-operator"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/complaints/").status_code == 200
    # Asking again gives the same token.
    again = api().post(TOKEN_URL, {"username": "operator", "password": "pw-operator"}, format="json")
    assert again.json()["token"] == token


def test_token_accepts_a_form_post(api, operator):
    response = api().post(
        TOKEN_URL, "username=operator&password=pw-operator", content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and response.json()["token"]


def test_wrong_password_is_400_without_token(api, operator):
    response = api().post(TOKEN_URL, {"username": "operator", "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["non_field_errors"] == ["Unable to log in with provided credentials."]
    assert "token" not in body


def test_inactive_user_gets_no_token(api, operator):
    operator.is_active = False
    operator.save()
    response = api().post(TOKEN_URL, {"username": "operator", "password": "pw-operator"}, format="json")
    assert response.status_code == 400


def test_missing_credentials_are_listed_per_field(api, db):
    response = api().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_no_token_is_401_json_with_the_scheme(api, db):
    response = api().get("/api/v1/complaints/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_unknown_or_deactivated_token_is_401(api, operator):
    client = api(operator)
    client_bad = api()
    client_bad.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client_bad.get("/api/v1/complaints/").status_code == 401
    operator.is_active = False
    operator.save()
    response = client.post("/api/v1/complaints/", {"channel": Channel.INTERNAL, "text": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_signed_in_browser_session_may_use_the_api(client, qms, complaint):
    client.force_login(qms)
    response = client.get(f"/api/v1/complaints/{complaint.number}/")
    assert response.status_code == 200


def ask(api, username="operator", password="nope", ip="192.0.2.1"):
    return api().post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def is_throttled(response, window: int = 60) -> bool:
    if response.status_code != 429:
        return False
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= window
    return True


def test_token_requests_are_limited_per_address(api, operator, settings):
    settings.AMENDS_API_TOKEN_RATE = "3/min"
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        answers = [ask(api, username=f"guess{i}") for i in range(3)]
        assert [r.status_code for r in answers] == [400] * 3
        # The right password does not help once the address is over its limit.
        assert is_throttled(ask(api, password="pw-operator"))
        assert ask(api, username="someone", ip="192.0.2.2").status_code == 400
        clock.shift(timedelta(seconds=61))
        assert ask(api, password="pw-operator").status_code == 200


def test_token_requests_are_limited_per_username(api, operator, settings):
    settings.AMENDS_API_TOKEN_RATE = "2/min"
    assert ask(api, ip="192.0.2.1").status_code == 400
    assert ask(api, username=" OPERATOR ", ip="192.0.2.2").status_code == 400
    assert is_throttled(ask(api, password="pw-operator", ip="192.0.2.3"))
    assert ask(api, username="manager", ip="192.0.2.4").status_code == 400


def test_the_rate_is_read_at_each_request(api, operator, settings):
    settings.AXES_FAILURE_LIMIT = 50  # the lockout (test_login_protection) would refuse the 10th guess itself
    settings.AMENDS_API_TOKEN_RATE = "off"
    assert all(ask(api).status_code == 400 for _ in range(12))
    settings.AMENDS_API_TOKEN_RATE = "1/10m"
    assert ask(api).status_code == 400
    assert is_throttled(ask(api), window=600)


def test_the_default_rate_is_ten_a_minute(api, operator, settings):
    del settings.AMENDS_API_TOKEN_RATE
    settings.AXES_FAILURE_LIMIT = 50
    assert [ask(api).status_code for _ in range(11)] == [400] * 10 + [429]


def test_an_unreadable_body_is_still_400(api, db, settings):
    settings.AMENDS_API_TOKEN_RATE = "1/min"
    response = api().post(TOKEN_URL, '{"username": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
