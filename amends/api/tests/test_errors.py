"""Whatever goes wrong, the API answers JSON with a detail and a code, never an HTML page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from amends.api.exceptions import handler
from amends.complaints.models import Complaint

LIST = "/api/v1/complaints/"


def is_json_error(response, status: int, code: str | None = None) -> bool:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    return code is None or body["code"] == code


def test_invalid_json_is_400(api, operator):
    response = api(operator).post(LIST, '{"channel": "phone", ', content_type="application/json")
    assert is_json_error(response, 400, "parse_error")
    assert "JSON parse error" in response.json()["detail"]


def test_a_json_array_instead_of_an_object_is_400(api, operator):
    response = api(operator).post(LIST, "[1, 2]", content_type="application/json")
    assert is_json_error(response, 400, "invalid")


def test_body_over_the_request_limit_is_413(api, operator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"channel": "phone", "text": "' + "x" * 2000 + '"}'
    response = api(operator).post(LIST, body, content_type="application/json")
    assert is_json_error(response, 413, "too_large")
    assert Complaint.objects.count() == 0


def test_form_fields_over_the_request_limit_are_413(api, operator, complaint, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api(operator).post(
        f"/api/v1/complaints/{complaint.number}/attachments/", {"note": "x" * 2000}, format="multipart",
    )
    assert is_json_error(response, 413, "too_large")


def test_unsupported_media_type_is_415(api, operator):
    response = api(operator).post(LIST, "channel=phone", content_type="text/plain")
    assert is_json_error(response, 415, "unsupported_media_type")


def test_wrong_method_is_405(api, operator):
    assert is_json_error(api(operator).delete(LIST), 405, "method_not_allowed")


@pytest.mark.parametrize("path", [
    "/api/", "/api/v1/", "/api/v2/complaints/", "/api/v1/complaints/2026-1/", "/api/v1/complaints",
    "/api/v1/complaints/2026-000001/measures/x/", "/api/v1/complaints/2026-000001/measures/1234567890123456789/",
    "/api/v1/complaints/%00/",
])
def test_unknown_endpoints_are_404_json(api, operator, path):
    assert is_json_error(api(operator).get(path), 404, "not_found")
    # Even a POST without a CSRF token from a browser.
    assert is_json_error(Client(enforce_csrf_checks=True).post(path, {}), 404, "not_found")


@pytest.mark.parametrize("page", ["", " ", "0", "x", "99"])
def test_a_page_that_is_not_one_is_404(api, operator, complaint, page):
    assert is_json_error(api(operator).get(LIST, {"page": page}), 404, "not_found")


def test_a_browser_asking_for_html_still_gets_json(api, operator):
    response = api(operator).get("/api/v1/complaints/2026-999999/",
                                 HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert is_json_error(response, 404, "not_found")


@pytest.mark.parametrize(("error", "status", "code"), [
    (Http404("gone"), 404, "not_found"), (PermissionDenied("no"), 403, "permission_denied"),
])
def test_django_404_and_403_raised_in_a_view_are_json(error, status, code):
    response = handler(error, {})
    assert (response.status_code, response.data["code"]) == (status, code)
    assert response.data["detail"]


def test_session_post_without_csrf_is_403_json(qms, complaint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(qms)
    response = client.post(f"/api/v1/complaints/{complaint.number}/notes/", {"text": "x"},
                           content_type="application/json")
    assert is_json_error(response, 403, "permission_denied")


def test_an_unexpected_error_is_a_logged_500_json(api, operator, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("amends.api.views.complaints.complaint_accept_from_api", broken)
    response = api(operator).post(
        LIST, {"channel": "internal", "text": "x"}, format="json",
    )
    assert is_json_error(response, 500, "server_error")
    assert "disk on fire" not in response.content.decode()
    assert any("disk on fire" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_messages_follow_the_users_language(api, operator):
    operator.language = "ru"
    operator.save()
    response = api(operator).post(LIST, {"channel": "internal", "text": " "}, format="json")
    assert response.status_code == 400
    # The client asked for English; the user's own choice wins, as in the UI.
    assert response.json()["errors"] == {"text": ["Это поле не может быть пустым."]}
