"""Limits on `POST /api/v1/auth/token/` against password guessing: per client address and per username.

The rate is AMENDS_API_TOKEN_RATE ("10/min" as REST framework writes rates, or "5/10m" as the web
form's limits; "off" disables it), read at each request: REST framework's own throttles read their
rates once, when the class is defined. The address is found as for the web form (AMENDS_TRUSTED_PROXIES).
"""

import hashlib
import re

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from amends.intake.channels.web_form import ratelimit

DEFAULT_RATE = "10/min"
# "10/min", "10/minute" → "10/m": REST framework's spelling in the web form's syntax.
UNIT_WORD = re.compile(r"(?<=[smhd])[a-z]+\s*$")


class TokenThrottle(SimpleRateThrottle):
    num_requests: int | None
    duration: int | None

    def __init__(self):
        text = str(getattr(settings, "AMENDS_API_TOKEN_RATE", DEFAULT_RATE))
        rate = ratelimit.parse_rate(UNIT_WORD.sub("", text.strip().lower()))
        self.rate = text if rate else None
        self.num_requests, self.duration = (rate.limit, rate.window) if rate else (None, None)

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenAddressThrottle(TokenThrottle):
    scope = "token_address"

    def get_cache_key(self, request, view) -> str:
        return self.key_for(ratelimit.client_ip(request))


class TokenUsernameThrottle(TokenThrottle):
    """Guessing one account's password from many addresses is limited too."""

    scope = "token_username"

    def get_cache_key(self, request, view) -> str | None:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None  # the view refuses it without checking any password
        # Hashed: a username may hold characters a cache key must not.
        return self.key_for(hashlib.sha256(username.strip().lower().encode("utf-8", "surrogatepass")).hexdigest())
