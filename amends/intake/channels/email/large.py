"""Large part bodies set aside before the `email` package reads a message.

The `email` package reads a body line by line into lists of strings: a 50 MB attachment costs
it seconds and several hundred megabytes. So bodies over LARGE bytes are cut out of the bytes
first (found by their MIME boundaries with bytes.find, at C speed) and replaced by a token; the
part keeps its headers, and the body is looked up by the token, measured, and decoded only
when it is within the attachment limit.
"""

import base64
import binascii
import quopri
import re
import secrets

LARGE = 64 * 1024
HEADERS_MAX = 64 * 1024
_BOUNDARY = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"']{1,200}))""", re.IGNORECASE)
_TOKEN = f"amends-large-body-{secrets.token_hex(8)}-"


class LargeBodies:
    """The set-aside bodies, kept as offsets into the original bytes (nothing is copied)."""

    def __init__(self, raw: bytes = b"") -> None:
        self.raw = raw
        self._spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> bytes:
        self._spans.append((start, end))
        return f"{_TOKEN}{len(self._spans) - 1}".encode("ascii")

    def span(self, payload: object) -> tuple[int, int] | None:
        """Where the body a part's payload stands for lies in the original bytes; None for an ordinary payload."""
        if not isinstance(payload, str) or not payload.startswith(_TOKEN) or len(payload) > len(_TOKEN) + 40:
            return None
        index = payload.strip()[len(_TOKEN):]
        return self._spans[int(index)] if index.isdigit() and int(index) < len(self._spans) else None

    def restore(self, data: bytes) -> bytes:
        """Bytes generated from parts (a forwarded message) with the set-aside bodies put back."""
        if not self._spans or _TOKEN.encode("ascii") not in data:
            return data
        pattern = re.compile(re.escape(_TOKEN.encode("ascii")) + rb"(\d+)")
        return pattern.sub(lambda match: self.body(self._spans[int(match.group(1))]), data)

    def body(self, span: tuple[int, int]) -> bytes:
        return self.raw[span[0]:span[1]]


def _body_start(raw: bytes, start: int, end: int) -> int:
    """Where the body of the part in raw[start:end] begins (after its headers and the blank line)."""
    if raw.startswith(b"\r\n", start):
        return start + 2
    if raw.startswith(b"\n", start):
        return start + 1
    window = min(end, start + HEADERS_MAX)
    ends = [i for i in (raw.find(b"\n\r\n", start, window), raw.find(b"\n\n", start, window)) if i >= 0]
    if not ends:
        return end
    first = min(ends)
    return first + (3 if raw.startswith(b"\n\r\n", first) else 2)


def _large_bodies(raw: bytes, start: int, end: int, threshold: int, found: list, depth: int = 0) -> None:
    """Walk the part in raw[start:end] by its headers and boundaries; note the bodies over threshold."""
    body_start = _body_start(raw, start, end)
    if depth > 20 or body_start - start > HEADERS_MAX:
        return
    headers = raw[start:body_start]
    content_type = headers.lower()
    boundary = _BOUNDARY.search(headers) if b"multipart/" in content_type else None
    if boundary is None:
        if b"message/rfc822" in content_type:
            _large_bodies(raw, body_start, end, threshold, found, depth + 1)
        elif end - body_start > threshold:
            found.append((body_start, end))
        return
    needle = b"\n--" + (boundary.group(1) or boundary.group(2))
    position = raw.find(needle, body_start - 1, end)
    while position >= 0:
        line_end = raw.find(b"\n", position + 1, end)
        if line_end < 0 or raw[position + len(needle):position + len(needle) + 2] == b"--":
            return  # the closing delimiter
        following = raw.find(needle, line_end, end)
        part_end = end if following < 0 else following - (raw[following - 1:following] == b"\r")
        _large_bodies(raw, line_end + 1, part_end, threshold, found, depth + 1)
        position = following


def set_aside(raw: bytes, *, threshold: int = LARGE) -> tuple[bytes, LargeBodies]:
    """The message with every body over `threshold` bytes replaced by a token, and the bodies."""
    bodies = LargeBodies(raw)
    if len(raw) <= threshold:
        return raw, bodies
    found: list[tuple[int, int]] = []
    _large_bodies(raw, 0, len(raw), threshold, found)
    if not found:
        return raw, bodies
    pieces, last = [], 0
    for start, end in found:
        pieces += [raw[last:start], bodies.add(start, end)]
        last = end
    pieces.append(raw[last:])
    return b"".join(pieces), bodies


def decode_body(body: bytes, transfer_encoding: str) -> bytes:
    """A set-aside body decoded the way `get_payload(decode=True)` would."""
    encoding = transfer_encoding.strip().lower()
    if encoding == "base64":
        try:
            return base64.b64decode(body)
        except (binascii.Error, ValueError):
            data = re.sub(rb"[^A-Za-z0-9+/]", b"", body)
            return base64.b64decode(data[: len(data) // 4 * 4])
    if encoding == "quoted-printable":
        return quopri.decodestring(body)
    return body
