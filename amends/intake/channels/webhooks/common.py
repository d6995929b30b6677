"""What the adapters share: the reply to the platform, references, times, files, and the HTTP calls."""

import mimetypes
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.utils import timezone

# Connect and read timeouts for calls to a platform's API: an answer must not hang a request.
TIMEOUT = (3.05, 10)
# Where Python's table gives an extension that the accepted types (AMENDS_ATTACHMENT_EXTENSIONS) lack.
MIME_EXTENSIONS = {"audio/ogg": ".ogg", "audio/opus": ".ogg", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class Reply:
    """What the endpoint answers: a dict is sent as JSON, a str as plain text (VK wants "ok")."""

    status: int
    body: dict | str


class DeliveryError(Exception):
    """The platform refused or did not take a message; recorded on the OutboundMessage."""


class FileRefused(Exception):
    """A file the customer sent cannot be fetched or kept; the message, in an operator's words,
    goes onto the card's timeline."""


@dataclass(frozen=True)
class RemoteFile:
    """A file the customer sent that stays on the platform until the worker fetches it (files.py)."""

    kind: str  # the platform's word: photo, document, voice, doc, audio_message...
    key: str  # stable and not secret: marks the file as done on the card
    name: str  # what it is stored as, always with an extension
    mime_type: str = ""
    size: int | None = None  # as the platform declares it, before the download
    file_id: str = ""  # Telegram: resolved through getFile with the bot token
    url: str = ""  # VK: the direct link from the event


def json_reply(status: str) -> Reply:
    return Reply(200, {"ok": True, "status": status})


def clean(value: str) -> str:
    """A string from a JSON body as a database takes it: no NUL, no lone surrogates ("\\ud800")."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\x00", "")


def reference(value: object) -> str:
    """A platform's update or event ID as a replay key: an integer or a non-empty string, else ""."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return clean(value).strip()[:300]
    return ""


def chat_id(value: object) -> str:
    """A chat or user ID as it goes into a thread key; raises ValueError when there is none."""
    ref = reference(value)
    if not ref or len(ref) > 100 or ":" in ref:
        raise ValueError(f"No usable chat ID: {value!r}")
    return ref


def plausible(moment: datetime | None) -> datetime | None:
    """When the customer wrote, as the platform says; None (the card takes the arrival time)
    for a time in the future or before 2000."""
    if moment is None or moment.year < 2000 or moment > timezone.now():
        return None
    return moment


def from_unix(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return plausible(datetime.fromtimestamp(value, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None


def text_of(value: object) -> str:
    """A string field of the payload, cleaned; "" for anything that is not a string."""
    return clean(value).strip() if isinstance(value, str) else ""


def object_of(value: object) -> dict:
    """An object field of the payload; {} for anything that is not an object."""
    return value if isinstance(value, dict) else {}


def array_of(value: object) -> list:
    """An array field of the payload; [] for anything that is not an array."""
    return value if isinstance(value, list) else []


def chunks(text: str, limit: int) -> list[str]:
    """Split a long answer for platforms with a message length limit, at line breaks when possible."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text or not parts else parts


def file_name(given: str, mime_type: str, stem: str, default_extension: str) -> str:
    """A name to store a received file under: the customer's own when the platform gives one, else
    `stem`; with an extension from the MIME type (or the kind's usual one) when it has none."""
    base, extension = os.path.splitext(_bare(given) or _bare(stem))
    if not extension:
        extension = MIME_EXTENSIONS.get(mime_type) or mimetypes.guess_extension(mime_type) or default_extension
    return f"{base[:100]}{extension[:10]}"


def _bare(name: str) -> str:
    """The last part of a path, without control characters: no directories come from a payload."""
    return re.sub(r"[\x00-\x1f\x7f]", "", re.split(r"[/\\]", name)[-1]).strip(" .")


def size_of(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def post(url: str, **kwargs) -> requests.Response:
    return requests.post(url, timeout=TIMEOUT, **kwargs)


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=TIMEOUT, **kwargs)


def response_json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {}
