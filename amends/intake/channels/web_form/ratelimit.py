"""Per-IP limits on public submissions, counted in Django's cache: how many, and how many bytes of files.

The rate is a setting such as "5/10m" (five per ten minutes; units s, m, h, d), a byte quota
one such as "200MB/1d" (sizes in B, KB, MB, GB of 1024); "off" or "0" disables either. Windows
are fixed. The default cache (FileBasedCache under var/) is shared by all server processes on the
host, so the limit holds across them; its increments are a read and a write, so requests from one
address at the same instant may be counted a little short.
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


QUOTA = re.compile(r"^\s*(\d+)\s*([kmg]?)b?\s*/\s*(\d*)\s*([smhd])\s*$", re.IGNORECASE)
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_quota(text: str | None) -> Rate | None:
    """"200MB/1d" → Rate(209715200, 86400): bytes per window; None when the quota is off."""
    if not text or str(text).strip().lower() in {"0", "off", "none"}:
        return None
    match = QUOTA.match(str(text))
    if match is None:
        raise ValueError(f"A byte quota looks like '200MB/1d', not {text!r}")
    size, unit, amount, window = match.groups()
    return Rate(int(size) * SIZE_UNITS[unit.lower()], int(amount or 1) * UNIT_SECONDS[window.lower()])


def quota_setting(name: str, default: str) -> Rate | None:
    return parse_quota(getattr(settings, name, default))


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


def rate_count(request: HttpRequest, bucket: str, rate: Rate | None, amount: int = 1) -> None:
    """Count one submission (or `amount` bytes) from this address."""
    if rate is None or amount <= 0:
        return
    key = _key(bucket, client_ip(request), rate)
    cache.add(key, 0, timeout=rate.window)
    try:
        cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=rate.window)


def quota_exceeded(request: HttpRequest, bucket: str, quota: Rate | None, adding: int) -> bool:
    """True when `adding` more bytes would take this address past its quota in the current window."""
    if quota is None or adding <= 0:
        return False
    return (cache.get(_key(bucket, client_ip(request), quota)) or 0) + adding > quota.limit


def retry_after(rate: Rate) -> int:
    """Seconds until the current window ends."""
    return rate.window - int(time.time()) % rate.window
