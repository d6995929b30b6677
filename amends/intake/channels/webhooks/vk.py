"""VK Callback API: community events in, messages.send out.

VK cannot sign a body; it puts the community's "Secret key" in a "secret" field of every event,
which is accepted instead of an HMAC signature. The confirmation event is answered with the
source's confirmation code as plain text, every other event with "ok" (else VK retries).

A photo, document or voice message comes with a direct link; it is named in the text and
reported as a RemoteFile, which the worker fetches afterwards and attaches to the card (files.py).
Video and audio come without one and stay a line in the text.
"""

from amends.intake.models import OutboundMessage, WebhookSource
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import Ignored

from .common import (
    DeliveryError,
    RemoteFile,
    Reply,
    array_of,
    chat_id,
    chunks,
    file_name,
    from_unix,
    post,
    reference,
    response_json,
    size_of,
    text_of,
)
from .signing import same_secret

DEFAULT_BASE_URL = "https://api.vk.com"
API_VERSION = "5.199"
MESSAGE_LIMIT = 4096
FILE_KINDS = ("photo", "doc", "video", "audio", "audio_message")


def authenticate(source: WebhookSource, headers, payload: object) -> bool:
    return isinstance(payload, dict) and same_secret(payload.get("secret"), source.secret)


def handshake(source: WebhookSource, payload: object) -> Reply | None:
    """VK confirms the server address by asking for the community's confirmation code."""
    if not isinstance(payload, dict) or payload.get("type") != "confirmation":
        return None
    if not source.confirmation_code:
        return Reply(400, {"ok": False, "error": "No confirmation code is configured for this source."})
    return Reply(200, source.confirmation_code)


def external_ref(payload: object) -> str:
    return reference(payload.get("event_id")) if isinstance(payload, dict) else ""


def answer(status: str) -> Reply:
    return Reply(200, "ok")


def parse(source: WebhookSource, event: object) -> IncomingComplaint:
    if not isinstance(event, dict):
        raise ValueError("A VK event is a JSON object.")
    kind, item = event.get("type"), event.get("object")
    if kind not in ("message_new", "wall_reply_new"):
        raise Ignored(f"VK event {str(kind)[:50]!r} is not a message.")
    if not isinstance(item, dict):
        raise ValueError(f"VK {kind} without an object.")
    if kind == "message_new" and isinstance(item.get("message"), dict):
        item = item["message"]  # API 5.103+; older versions send the message itself
    author = item.get("from_id")
    if isinstance(author, int) and not isinstance(author, bool) and author < 0:
        raise Ignored(f"VK {kind} written by a community, not a person.")
    text = text_of(item.get("text"))
    attachments = array_of(item.get("attachments"))
    files = [line for a in attachments if isinstance(a, dict) and (line := _file_line(a))]
    remote_files = [remote for a in attachments if isinstance(a, dict) and (remote := _remote_file(a))]
    if not text and not files:
        raise Ignored(f"VK {kind} without text or file.")
    if kind == "wall_reply_new":
        # Threaded by the commenter: the answer goes to their private messages.
        files.append(f"https://vk.com/wall{reference(item.get('owner_id'))}_{reference(item.get('post_id'))}"
                     f"?reply={reference(item.get('id'))}")
        chat = chat_id(author)
    else:
        chat = chat_id(item.get("peer_id", author))
    return IncomingComplaint(
        channel=source.channel, text="\n".join([text, *files]).strip(),
        name=f"vk.com/id{chat_id(author)}", received_at=from_unix(item.get("date")),
        thread_key=f"vk:{source.name}:{chat}", remote_files=remote_files,
    )


def send(source: WebhookSource, chat: str, text: str, outbound: OutboundMessage) -> str:
    """messages.send, in pieces when longer than VK's limit. VK reports errors with HTTP 200."""
    if not source.outbound_token:
        raise DeliveryError("No community access token (outbound token) on the source.")
    url = f"{(source.outbound_base_url or DEFAULT_BASE_URL).rstrip('/')}/method/messages.send"
    sent = ""
    for number, piece in enumerate(chunks(text, MESSAGE_LIMIT)):
        response = post(url, data={
            "peer_id": chat, "message": piece, "access_token": source.outbound_token, "v": API_VERSION,
            # The same random_id for a retried piece lets VK drop the duplicate.
            "random_id": (outbound.pk * 64 + number) % 2**31,
        })
        data = response_json(response)
        error = data.get("error") if isinstance(data.get("error"), dict) else None
        if response.status_code != 200 or error is not None or "response" not in data:
            detail = (error or {}).get("error_msg", "")
            raise DeliveryError(f"VK answered HTTP {response.status_code}: {detail}")
        sent = f"vk:{chat}:{reference(data['response'])}"
    return sent


def _file_line(attachment: dict) -> str:
    kind = attachment.get("type")
    item = attachment.get(kind) if kind in FILE_KINDS else None
    if not isinstance(item, dict) or not reference(item.get("id")):
        return ""
    title = text_of(item.get("title"))
    ident = f"{kind}{reference(item.get('owner_id'))}_{reference(item.get('id'))}"
    return f"[VK {kind}{' ' + title if title else ''}: {ident}]"


def _remote_file(attachment: dict) -> RemoteFile | None:
    """The direct link of a photo (its largest size), a document or a voice message; None for the rest."""
    kind = attachment.get("type")
    item = attachment.get(kind) if kind in FILE_KINDS else None
    if not isinstance(item, dict) or not reference(item.get("id")):
        return None
    ident = f"{kind}{reference(item.get('owner_id'))}_{reference(item.get('id'))}"
    if kind == "photo":
        url, name, size = _largest_photo(item), f"{ident}.jpg", None
    elif kind == "doc":
        url, size = text_of(item.get("url")), size_of(item.get("size"))
        title, extension = text_of(item.get("title")), text_of(item.get("ext")).lstrip(".")
        if extension and not title.lower().endswith(f".{extension.lower()}"):
            title = f"{title or ident}.{extension}"  # VK keeps the type apart from the title
        name = file_name(title, "", ident, "")
    elif kind == "audio_message":
        url, size = text_of(item.get("link_ogg")) or text_of(item.get("link_mp3")), None
        name = f"{ident}{'.ogg' if text_of(item.get('link_ogg')) else '.mp3'}"
    else:
        return None  # video and music: VK sends no link to the file itself
    return RemoteFile(kind=kind, key=ident, name=name, size=size, url=url) if url else None


def _largest_photo(photo: dict) -> str:
    sizes = array_of(photo.get("sizes"))
    candidates = [s for s in [*sizes, photo.get("orig_photo")] if isinstance(s, dict) and text_of(s.get("url"))]
    largest = max(candidates, default=None,
                  key=lambda s: (size_of(s.get("width")) or 0) * (size_of(s.get("height")) or 0))
    return text_of(largest.get("url")) if largest else ""
