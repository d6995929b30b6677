"""What the adapters share: the reply to the platform, references, times, and the outbound HTTP call."""

from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.utils import timezone

# Connect and read timeouts for calls to a platform's API: an answer must not hang a request.
TIMEOUT = (3.05, 10)


@dataclass(frozen=True)
class Reply:
    """What the endpoint answers: a dict is sent as JSON, a str as plain text (VK wants "ok")."""

    status: int
    body: dict | str


class DeliveryError(Exception):
    """The platform refused or did not take a message; recorded on the OutboundMessage."""


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


def chunks(text: str, limit: int) -> list[str]:
    """Split a long answer for platforms with a message length limit, at line breaks when possible."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text or not parts else parts


def post(url: str, **kwargs) -> requests.Response:
    return requests.post(url, timeout=TIMEOUT, **kwargs)


def response_json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {}
