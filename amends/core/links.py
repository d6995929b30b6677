"""Absolute links to the app, for mail, workbooks and API answers: they must open where the app is."""

from django.conf import settings
from django.http import HttpRequest

# Where `make run` serves by default; used only when neither AMENDS_BASE_URL nor a request says.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


def base_url_configured() -> bool:
    return bool(settings.AMENDS_BASE_URL)


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (from the site's root) under AMENDS_BASE_URL when it is set, else on the scheme and
    host the request came to, else on the development address."""
    if base_url_configured():
        return settings.AMENDS_BASE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return DEVELOPMENT_BASE_URL + path
