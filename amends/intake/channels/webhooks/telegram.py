"""Telegram Bot API: Update objects in, sendMessage out.

Telegram cannot sign a body; it repeats the `secret_token` given to setWebhook in the header
X-Telegram-Bot-Api-Secret-Token, which is accepted instead of an HMAC signature.

Photos and documents are not downloaded here: the file_id goes into the text. Fetching a file
takes getFile plus a download of up to 20 MB with the bot token, inside the request Telegram is
waiting on; the file_id stays valid for the bot, so the file can be fetched later when needed.
"""

from amends.intake.models import OutboundMessage, WebhookSource
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import Ignored

from .common import (
    DeliveryError,
    Reply,
    chat_id,
    chunks,
    clean,
    from_unix,
    json_reply,
    post,
    reference,
    response_json,
    text_of,
)
from .signing import same_secret

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_BASE_URL = "https://api.telegram.org"
MESSAGE_LIMIT = 4096
MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message")
# Files worth an operator's attention; stickers, GIFs, polls and the like are not complaints.
FILE_KINDS = ("photo", "document", "video", "voice", "audio", "video_note")
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
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    if sender.get("is_bot") is True:
        raise Ignored("Telegram message written by a bot.")
    text = message.get("text") or message.get("caption") or ""
    if not isinstance(text, str):
        raise ValueError(f"Telegram {kind} text is not a string.")
    text = clean(text).strip()
    files = [line for kind_ in FILE_KINDS if (line := _file_line(kind_, message.get(kind_)))]
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
        result = data.get("result") if isinstance(data.get("result"), dict) else {}
        sent = f"telegram:{chat}:{reference(result.get('message_id'))}"
    return sent


def _file_line(kind: str, value: object) -> str:
    if kind == "photo" and isinstance(value, list) and value:
        value = value[-1]  # the largest size comes last
    if not isinstance(value, dict) or not reference(value.get("file_id")):
        return ""
    details = " ".join(filter(None, [text_of(value.get("file_name")), text_of(value.get("mime_type"))]))
    return f"[Telegram {kind}{' ' + details if details else ''}, file_id {reference(value.get('file_id'))}]"


def _name(user: dict) -> str:
    name = " ".join(filter(None, [text_of(user.get("first_name")), text_of(user.get("last_name"))]))
    if username := text_of(user.get("username")):
        name = f"{name} (@{username})" if name else f"@{username}"
    return name[:300]

