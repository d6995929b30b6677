"""Mail headers read from their raw form: encoded words, raw 8-bit Cyrillic, addresses, Message-IDs, dates.

The header values are taken as they stand in the message (`raw_items`), not through the
`email` package's header classes, so one malformed header never stops the rest from being read.
"""

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from .charsets import decode_bytes
from .text import clean_text

# The last alternative takes an encoded word left unterminated at the end of the header.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)(?:\?=|\??$)")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
# Starts only where a run of address characters starts: linear on a long run of them.
_BARE_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(\.[\w-]+)+")
MAX_REFERENCES = 50


class Headers:
    """Raw header values by lower-cased name, decoded on request."""

    def __init__(self, message: Message):
        self._values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self._values.setdefault(str(name).strip().lower(), []).append(str(value))

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._values

    def raw(self, name: str) -> str:
        values = self._values.get(name.lower())
        return _FOLD.sub("", values[0]).strip() if values else ""

    def all_raw(self, name: str) -> list[str]:
        return [_FOLD.sub("", value).strip() for value in self._values.get(name.lower(), [])]

    def text(self, name: str) -> str:
        return decode_header_value(self.raw(name))


def _raw_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _decode_word(kind: str, payload: str) -> bytes:
    if kind in "bB":
        payload = payload + "=" * (-len(payload) % 4)
        try:
            return base64.b64decode(payload)
        except (binascii.Error, ValueError):
            return _raw_bytes(payload)
    data = _raw_bytes(payload.replace("_", " "))
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded words (adjacent words of one charset joined before decoding, so a character
    split between them survives) and raw 8-bit text, each decoded with the charset checks."""
    value = _FOLD.sub("", value)
    pieces: list[str] = []
    pending: tuple[str, bytearray] | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position:match.start()]
        if pending is not None and between.strip():
            pieces.append(decode_bytes(bytes(pending[1]), pending[0]))
            pending = None
        if pending is None:
            pieces.append(decode_bytes(_raw_bytes(between)))
        charset = match.group(1).split("*", 1)[0]
        data = _decode_word(match.group(2), match.group(3))
        if pending is not None and pending[0].lower() == charset.lower():
            pending[1].extend(data)
        else:
            if pending is not None:
                pieces.append(decode_bytes(bytes(pending[1]), pending[0]))
            pending = (charset, bytearray(data))
        position = match.end()
    if pending is not None:
        pieces.append(decode_bytes(bytes(pending[1]), pending[0]))
    pieces.append(decode_bytes(_raw_bytes(value[position:])))
    return clean_text("".join(pieces)).replace("\n", " ")


def valid_address(address: str) -> str:
    address = _printable(address).strip().strip("<>").lower()
    if not address or len(address) > 254 or "\ufffd" in address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def parse_address(raw: str) -> tuple[str, str]:
    """(display name, address) of the first mailbox in a From-like header; empty parts when absent."""
    if not raw:
        return "", ""
    try:
        pairs = getaddresses([raw])
    except Exception:  # noqa: BLE001 - fall back to looking for an address in the text
        pairs = []
    for name, address in pairs:
        address = valid_address(address)
        if address:
            return decode_header_value(name).strip(" \"'"), address
    bare = _BARE_ADDRESS.search(raw)
    if bare and (address := valid_address(bare.group(0))):
        name = raw[:bare.start()].strip(" <\"'")
        return decode_header_value(name), address
    return decode_header_value(raw) if "@" not in raw else "", ""


def _printable(value: str) -> str:
    """Raw 8-bit bytes in an identifier become replacement characters, the same way every time."""
    return _raw_bytes(value).decode("utf-8", "replace").replace("\x00", "")


def message_ids(*raw_values: str) -> list[str]:
    """Message-IDs in In-Reply-To and References, in order, without repeats (at most 50, the latest)."""
    found: dict[str, None] = {}  # ordered, and a repeat costs no scan of the list
    for value in raw_values:
        found.update(dict.fromkeys(_MESSAGE_ID.findall(_printable(value))))
    return list(found)[-MAX_REFERENCES:]


def message_id(raw: str) -> str:
    raw = _printable(raw)
    match = _MESSAGE_ID.search(raw)
    if match:
        return match.group(0)
    return clean_text(raw)[:250]


def sent_at(raw: str, *, now: datetime | None = None) -> datetime | None:
    """The Date header as an aware time; None when missing, unreadable, in the future or implausibly old
    (the time of arrival is used then)."""
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    now = now or timezone.now()
    if moment > now + timedelta(minutes=10) or moment < now - timedelta(days=366):
        return None
    return min(moment, now)
