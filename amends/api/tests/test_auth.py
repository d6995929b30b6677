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
