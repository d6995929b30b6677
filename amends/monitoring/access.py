"""Who may read the metrics: a scraper with the token, or from an allowed address."""

import ipaddress
import secrets

from django.conf import settings
from django.http import HttpRequest

from amends.core.addresses import client_address


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.AMENDS_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_address(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in settings.AMENDS_METRICS_ALLOW)
