"""Telegram Bot API: Update objects in, sendMessage out.

Telegram cannot sign a body; it repeats the `secret_token` given to setWebhook in the header
X-Telegram-Bot-Api-Secret-Token, which is accepted instead of an HMAC signature.

A photo, document, video, voice message, audio or video note is named in the text with its
file_id, and reported as a RemoteFile: the worker fetches it afterwards (getFile, then the
download, with the bot token; files.py) and attaches it to the card. Not inside the webhook
request: Telegram is waiting on it, and the download can fail independently of the message.
"""

from urllib.parse import quote

from django.utils.translation import gettext as _

from amends.intake.models import OutboundMessage, WebhookSource
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import Ignored

from .common import (
    DeliveryError,
    FileRefused,
    RemoteFile,
    Reply,
    chat_id,
    chunks,
    clean,
    file_name,
    from_unix,
    get,
    json_reply,
    object_of,
    post,
    reference,
    response_json,
    size_of,
    text_of,
)
from .signing import same_secret

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_BASE_URL = "https://api.telegram.org"
MESSAGE_LIMIT = 4096
MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message")
# Files worth an operator's attention; stickers, GIFs, polls and the like are not complaints.
FILE_KINDS = ("photo", "document", "video", "voice", "audio", "video_note")
# The extension of a file Telegram gives no name and no MIME type for (photos are always JPEG).
USUAL_EXTENSIONS = {"photo": ".jpg", "voice": ".ogg", "video_note": ".mp4", "video": ".mp4", "audio": ".mp3"}
METADATA = {
    "message_id", "message_thread_id", "from", "sender_chat", "chat", "date", "edit_date", "reply_to_message",
    "forward_origin", "forward_from", "forward_from_chat", "forward_date", "entities", "caption_entities",
    "has_protected_content", "is_topic_message", "author_signature", "via_bot", "media_group_id",
    "link_preview_options",
}


def authenticate(source: WebhookSource, headers, payload: object) -> bool:
    return same_secret(headers.get(SECRET_HEADER), source.secret)


def handshake(source: WebhookSource, payload: object) -> Reply | None:
    return None


def external_ref(payload: object) -> str:
    return reference(payload.get("update_id")) if isinstance(payload, dict) else ""


def answer(status: str) -> Reply:
    return json_reply(status)


def parse(source: WebhookSource, update: object) -> IncomingComplaint:
    if not isinstance(update, dict):
        raise ValueError("A Telegram update is a JSON object.")
    kind = next((k for k in MESSAGE_KINDS if k in update), None)
    if kind is None:
        carries = ", ".join(sorted(clean(k) for k in update if k != "update_id")[:3]) or "nothing"
        raise Ignored(f"Telegram update is not a message ({carries}).")
    message = update[kind]
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        raise ValueError(f"Telegram {kind} without a chat.")
    sender = object_of(message.get("from"))
    if sender.get("is_bot") is True:
        raise Ignored("Telegram message written by a bot.")
    text = message.get("text") or message.get("caption") or ""
    if not isinstance(text, str):
        raise ValueError(f"Telegram {kind} text is not a string.")
    text = clean(text).strip()
    sent = [(kind_, item) for kind_ in FILE_KINDS if (item := _file_of(kind_, message.get(kind_)))]
    files = [_file_line(kind_, item) for kind_, item in sent]
    if not text and not files:
        carries = ", ".join(sorted(clean(k) for k in set(message) - METADATA - {"text", "caption"})[:3]) or "nothing"
        raise Ignored(f"Telegram {kind} without text or file ({carries}).")
    if kind.startswith("edited_"):
        text = f"[edited] {text}"
    chat = message["chat"]
    return IncomingComplaint(
        channel=source.channel, text="\n".join([text, *files]).strip(),
        name=_name(sender) or text_of(chat.get("title")),
        received_at=from_unix(message.get("edit_date") or message.get("date")),
        thread_key=f"telegram:{source.name}:{chat_id(chat.get('id'))}",
        remote_files=[_remote_file(kind_, item) for kind_, item in sent],
    )


def send(source: WebhookSource, chat: str, text: str, outbound: OutboundMessage) -> str:
    """sendMessage, in pieces when longer than Telegram's limit; returns the last message's ID."""
    if not source.outbound_token:
        raise DeliveryError("No bot token (outbound token) on the source.")
    url = f"{(source.outbound_base_url or DEFAULT_BASE_URL).rstrip('/')}/bot{source.outbound_token}/sendMessage"
    sent = ""
    for piece in chunks(text, MESSAGE_LIMIT):
        response = post(url, json={"chat_id": int(chat) if chat.lstrip("-").isdigit() else chat, "text": piece})
        data = response_json(response)
        if response.status_code != 200 or data.get("ok") is not True:
            raise DeliveryError(f"Telegram answered HTTP {response.status_code}: {data.get('description', '')}")
        result = object_of(data.get("result"))
        sent = f"telegram:{chat}:{reference(result.get('message_id'))}"
    return sent


def file_url(source: WebhookSource, remote: RemoteFile) -> str:
    """Where a file the customer sent is downloaded from: getFile gives its path for the bot."""
    if not source.outbound_token:
        raise FileRefused(_("The webhook source has no bot token, which Telegram files are fetched with."))
    base = (source.outbound_base_url or DEFAULT_BASE_URL).rstrip("/")
    response = get(f"{base}/bot{source.outbound_token}/getFile", params={"file_id": remote.file_id})
    data = response_json(response)
    result = object_of(data.get("result"))
    path = text_of(result.get("file_path"))
    if response.status_code != 200 or data.get("ok") is not True or not path:
        detail = text_of(data.get("description"))[:200] or f"HTTP {response.status_code}"
        raise FileRefused(_("Telegram did not give the file out: %(detail)s.") % {"detail": detail})
    return f"{base}/file/bot{source.outbound_token}/{quote(path.lstrip('/'))}"


def _file_of(kind: str, value: object) -> dict | None:
    if kind == "photo" and isinstance(value, list) and value:
        value = value[-1]  # the largest size comes last
    return value if isinstance(value, dict) and reference(value.get("file_id")) else None


def _file_line(kind: str, item: dict) -> str:
    details = " ".join(filter(None, [text_of(item.get("file_name")), text_of(item.get("mime_type"))]))
    return f"[Telegram {kind}{' ' + details if details else ''}, file_id {reference(item.get('file_id'))}]"


def _remote_file(kind: str, item: dict) -> RemoteFile:
    file_id = reference(item.get("file_id"))
    # file_unique_id is the same for every bot and over time, and cannot fetch the file.
    key = reference(item.get("file_unique_id")) or file_id
    mime_type = text_of(item.get("mime_type"))[:100]
    return RemoteFile(
        kind=kind, key=key, file_id=file_id, mime_type=mime_type, size=size_of(item.get("file_size")),
        name=file_name(text_of(item.get("file_name")), mime_type, f"{kind}_{key[:40]}", USUAL_EXTENSIONS.get(kind, "")),
    )


def _name(user: dict) -> str:
    name = " ".join(filter(None, [text_of(user.get("first_name")), text_of(user.get("last_name"))]))
    if username := text_of(user.get("username")):
        name = f"{name} (@{username})" if name else f"@{username}"
    return name[:300]

