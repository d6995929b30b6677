"""The body of a message: its text (plain preferred, HTML made readable) and its files.

Sizes are checked on the encoded part before anything is decoded, so a 50 MB attachment costs
no more memory than the message itself; archives are stored as they are and never opened.
A file that cannot be kept (too large, a type not accepted) is left out with a note in the
text, and the original message stays in the intake with every byte.
"""

import mimetypes
import os
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _

from .charsets import decode_bytes
from .errors import MalformedEmail
from .headers import decode_header_value
from .large import LargeBodies, decode_body
from .text import clean_text, html_to_text, strip_quoted

MAX_DEPTH = 30
MAX_PARTS = 500
MAX_TEXT = 500_000  # characters of body text kept on the card
_SIGNATURES = {
    "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature",
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]{1,40})""", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


@dataclass
class Body:
    text: str = ""
    new_text: str = ""  # without quoted earlier messages
    files: list[UploadedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class _Found:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    parts: int = 0
    large: LargeBodies = field(default_factory=LargeBodies)


def collect(message: Message, large: LargeBodies) -> Body:
    found = _Found(large=large)
    _visit(message, found, depth=0)
    plain = clean_text("\n\n".join(found.plain))
    if plain or not found.html:
        text, new_text = plain, strip_quoted(plain)
    else:
        html = "\n".join(found.html)
        text = html_to_text(html)
        new_text = strip_quoted(html_to_text(html, drop_quotes=True)) or text
    if len(text) > MAX_TEXT:
        note = _("[The text is cut at %(count)d characters; the whole message is kept in the intake.]")
        text = text[:MAX_TEXT] + "\n\n" + note % {"count": MAX_TEXT}
        new_text = new_text[:MAX_TEXT]
    return Body(text=text, new_text=new_text, files=found.files, refused=found.refused)


def _visit(part: Message, found: _Found, depth: int = 0) -> None:
    found.parts += 1
    if depth > MAX_DEPTH or found.parts > MAX_PARTS:
        raise MalformedEmail(_("The message has too many MIME parts or nests them too deep."))
    content_type = part.get_content_type()
    if part.get_content_maintype() == "message" or not part.is_multipart():
        _leaf(part, content_type, found)
        return
    for sub in part.get_payload():
        if isinstance(sub, Message):
            _visit(sub, found, depth + 1)


def _leaf(part: Message, content_type: str, found: _Found) -> None:
    disposition = part.get_content_disposition()
    name = _file_name(part)
    if content_type in _SIGNATURES:
        return
    if part.get_content_maintype() == "multipart":  # a multipart whose parts could not be found
        _broken_multipart(part, found)
        return
    is_body = content_type in ("text/plain", "text/html") and disposition != "attachment" and (
        not name or disposition == "inline"
    )
    limit = settings.AMENDS_ATTACHMENT_MAX_BYTES
    size = _encoded_size(part, found.large)
    if size > limit:
        found.refused.append(_refused_size(name or content_type, size, limit))
        return
    if is_body:
        data = _decoded(part, found.large)
        charset = part.get_content_charset()
        if content_type == "text/html":
            if not charset and (meta := _META_CHARSET.search(data[:4096])):
                charset = meta.group(1).decode("ascii")
            found.html.append(decode_bytes(data, charset))
        else:
            found.plain.append(decode_bytes(data, charset))
        return
    name = name or _generated_name(content_type, len(found.files) + len(found.refused) + 1)
    data = _file_bytes(part, found.large)
    if len(data) > limit:
        found.refused.append(_refused_size(name, len(data), limit))
        return
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in {e.strip().lower() for e in settings.AMENDS_ATTACHMENT_EXTENSIONS}:
        found.refused.append(
            _("[The attachment “%(name)s” was not saved: files of type “%(ext)s” are not accepted. "
              "The original message is kept in the intake.]") % {"name": name, "ext": extension or "?"}
        )
        return
    found.files.append(SimpleUploadedFile(name, data, content_type=content_type[:100]))


def _broken_multipart(part: Message, found: _Found) -> None:
    """A multipart whose declared boundary is missing or wrong: read it again with the boundary its
    body actually uses (the first "--" line); failing that, keep its lines as text."""
    data = _payload_bytes(part)  # (without decode=True, 8-bit bytes come back mangled)
    used = next((line[2:].strip() for line in data.splitlines() if line.startswith(b"--") and len(line) > 2), b"")
    used = used[:-2] if used.endswith(b"--") else used
    if used and used.decode("ascii", "replace") != part.get_boundary() and b'"' not in used:
        again = BytesParser(policy=policy.compat32).parsebytes(
            b'Content-Type: multipart/mixed; boundary="' + used + b'"\r\n\r\n' + data)
        if again.is_multipart():
            _visit(again, found, found.parts)
            return
    text = decode_bytes(data)
    boundary = part.get_boundary() or ""
    markers = {f"--{boundary}", f"--{boundary}--"} if boundary else set()
    found.plain.append("\n".join(line for line in text.splitlines() if line.strip() not in markers))


def _transfer_encoding(part: Message) -> str:
    return str(part.get("content-transfer-encoding", "")).strip().lower()


def _encoded_size(part: Message, large: LargeBodies) -> int:
    """The decoded size estimated from the encoded text, without decoding it."""
    payload = part.get_payload()
    span = large.span(payload)
    if span is not None:
        length = span[1] - span[0]
        breaks = large.raw.count(b"\n", *span) + large.raw.count(b"\r", *span)
    elif isinstance(payload, str):
        length, breaks = len(payload), payload.count("\n") + payload.count("\r")
    else:
        return 0
    return (length - breaks) * 3 // 4 if _transfer_encoding(part) == "base64" else length


def _decoded(part: Message, large: LargeBodies) -> bytes:
    span = large.span(part.get_payload())
    if span is not None:
        return decode_body(large.body(span), _transfer_encoding(part))
    return _payload_bytes(part)


def _payload_bytes(part: Message) -> bytes:
    """The decoded body of a part; b"" when it has none (a multipart's is None)."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _file_bytes(part: Message, large: LargeBodies) -> bytes:
    payload = part.get_payload()
    if part.get_content_maintype() == "message" and isinstance(payload, list):
        inner = payload[0] if payload else None
        if isinstance(inner, Message):
            return large.restore(inner.as_bytes(policy=policy.compat32))
        return b""
    return _decoded(part, large)


def _file_name(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken parameter: the file gets a generated name
        name = ""
    name = decode_header_value(str(name)) if name else ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip("\"'")
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > 120:
        stem, extension = os.path.splitext(name)
        name = stem[:110] + (extension if len(extension) <= 10 else "")
    return name


def _generated_name(content_type: str, number: int) -> str:
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{number}{extension}"


def _refused_size(name: str, size: int, limit: int) -> str:
    return _(
        "[The attachment “%(name)s” (%(size).1f MB) was not saved: the limit is %(limit).1f MB. "
        "The original message is kept in the intake.]"
    ) % {"name": name, "size": size / 1048576, "limit": limit / 1048576}
