"""Copies of sent mail that Django's file backend keeps (what `make run` uses): a message that
mentions the person is removed from its file, and a file left empty is deleted."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from .redact import Redactor

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _readable(raw: bytes) -> str:
    """Headers and every text part decoded, so a base64 or quoted-printable body is searched too."""
    message = message_from_bytes(raw, policy=policy.default)
    parts = [f"{name}: {value}" for name, value in message.items()]
    if isinstance(message, EmailMessage):
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(str(part.get_content()))
    return "\n".join(parts)


def mail_files_anonymise(redactor: Redactor) -> int:
    """Returns how many messages were removed."""
    if settings.EMAIL_BACKEND != FILE_BACKEND or not getattr(settings, "EMAIL_FILE_PATH", ""):
        return 0
    removed = 0
    for path in sorted(Path(settings.EMAIL_FILE_PATH).glob("*.log")):
        messages = [chunk for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]
        kept = [raw for raw in messages if not redactor.mentions(_readable(raw))]
        if len(kept) == len(messages):
            continue
        removed += len(messages) - len(kept)
        if kept:
            path.write_bytes(b"".join(raw + SEPARATOR for raw in kept))
        else:
            path.unlink()
    return removed
