"""The client's address as the app sees it: REMOTE_ADDR, or what the trusted proxies say."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with AMENDS_TRUSTED_PROXIES = n the address the n-th proxy from the right saw;
    None when that is not an IP address (proxies write "unknown"; a database's inet column refuses it)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "AMENDS_TRUSTED_PROXIES", 0) or 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
