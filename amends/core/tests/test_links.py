"""Absolute links start where the app is: AMENDS_BASE_URL, else the request's host, else the development address."""

from django.test import RequestFactory

from amends.core.links import absolute_url


def test_the_setting_wins_over_the_request(settings):
    settings.AMENDS_BASE_URL = "https://complaints.example.org/"
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.5:8000")
    assert absolute_url("/track/2026-000001/", request) == "https://complaints.example.org/track/2026-000001/"


def test_without_the_setting_a_request_gives_its_own_scheme_and_host(settings):
    settings.AMENDS_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["amends.shop.example"]
    request = RequestFactory().get("/", HTTP_HOST="amends.shop.example:8443", secure=True)
    assert absolute_url("/track/2026-000001/?code=x") == "http://127.0.0.1:8000/track/2026-000001/?code=x"
    assert absolute_url("/track/2026-000001/?code=x", request) == "https://amends.shop.example:8443/track/2026-000001/?code=x"
