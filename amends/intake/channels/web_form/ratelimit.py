"""A per-IP limit on public submissions, counted in Django's cache.

The rate is a setting such as "5/10m" (five per ten minutes; units s, m, h, d); "off" or "0"
disables it. Windows are fixed. The default cache (FileBasedCache under var/) is shared by all
server processes on the host, so the limit holds across them; its increments are a read and a
write, so requests from one address at the same instant may be counted a little short.
"""

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from amends.core.addresses import client_address

RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


def parse_rate(text: str | None) -> Rate | None:
    """"5/10m" → Rate(5, 600); None when the limit is off."""
    if not text or str(text).strip().lower() in {"0", "off", "none"}:
        return None
    match = RATE.match(str(text))
    if match is None:
        raise ValueError(f"A rate looks like '5/10m', not {text!r}")
    count, amount, unit = match.groups()
    return Rate(int(count), int(amount or 1) * UNIT_SECONDS[unit])


def rate_setting(name: str, default: str) -> Rate | None:
    return parse_rate(getattr(settings, name, default))


def client_ip(request: HttpRequest) -> str:
    """The client's address (amends.core.addresses); all requests without a usable one share a bucket."""
    return client_address(request) or "unknown"


def _key(bucket: str, ip: str, rate: Rate) -> str:
    return f"amends:rate:{bucket}:{ip}:{int(time.time()) // rate.window}"


def rate_exceeded(request: HttpRequest, bucket: str, rate: Rate | None) -> bool:
    """True when this address has already used up its submissions in the current window."""
    if rate is None:
        return False
    return (cache.get(_key(bucket, client_ip(request), rate)) or 0) >= rate.limit


def rate_count(request: HttpRequest, bucket: str, rate: Rate | None) -> None:
    """Count one submission from this address."""
    if rate is None:
        return
    key = _key(bucket, client_ip(request), rate)
    cache.add(key, 0, timeout=rate.window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.window)


def retry_after(rate: Rate) -> int:
    """Seconds until the current window ends."""
    return rate.window - int(time.time()) % rate.window
