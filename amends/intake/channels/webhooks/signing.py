"""Who may post to a webhook: an HMAC-SHA256 signature of the raw body, or the platform's own secret.

Every source accepts `X-Amends-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>`.
Telegram and VK cannot sign bodies, so their adapters also accept the secret the platform
echoes back (a header for Telegram, a JSON field for VK). All comparisons are constant-time,
and a source with an empty secret accepts nothing.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Amends-Signature"
PREFIX = "sha256="


def signature(body: bytes, secret: str) -> str:
    """The header value a sender puts in X-Amends-Signature for this body."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def same_secret(given: object, secret: str) -> bool:
    """A secret echoed by the platform equals ours (constant-time; never true for an empty secret)."""
    if not secret or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), secret.encode())


def signed(body: bytes, header: str | None, secret: str) -> bool:
    """The body carries a valid X-Amends-Signature made with this secret."""
    return signed_digest(hmac.new(secret.encode(), body, hashlib.sha256), header, secret)


def body_hmac(secret: str) -> "hmac.HMAC":
    """An HMAC to feed a body in pieces as it is read (signed_digest checks it), so that a large
    body need not be held in memory to be checked."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def signed_digest(mac: "hmac.HMAC", header: str | None, secret: str) -> bool:
    """The header is the signature of the body fed to `mac`."""
    if not secret or not header:
        return False
    given = header.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, (PREFIX + mac.hexdigest()).encode())


def plausible_signature(header: str | None) -> bool:
    """The header has the shape of a signature: without one, a body need not be read at all."""
    value = (header or "").strip().lower()
    return value.startswith(PREFIX) and len(value) == len(PREFIX) + 64 and all(
        char in "0123456789abcdef" for char in value[len(PREFIX):]
    )
