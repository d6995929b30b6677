"""Files customers send through a messenger: fetched by the worker after the message is on its card.

The adapters report each file as a RemoteFile; `parse_webhook` queues `fetch_received_files_task` in the
transaction that registers the message or adds it to its card. The job downloads each file (Telegram
through getFile with the bot token, VK from the link in the event), streamed and cut off past the
attachment size limit, and attaches it with a note; a file that cannot be fetched or is refused
leaves only a note saying why. Each file is recorded once (by its key), so running the job again
attaches nothing twice. Failures are recorded, not retried: the operator can ask the customer to
send the file again. Nothing stored or logged contains the bot token.
"""

import logging
import mimetypes
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from amends.complaints.models import Complaint
from amends.complaints.services import attachment_check, complaint_receive_file
from amends.intake.models import InboundMessage, WebhookSource
from amends.intake.services import parser_for

from . import telegram
from .common import FileRefused, RemoteFile, get

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
# The read timeout holds for each chunk; this bounds a server that trickles bytes forever.
DOWNLOAD_SECONDS = 120
PLATFORMS = {"telegram": "Telegram", "vk": "VK"}
SLOW = gettext_lazy("The platform did not send the file in time.")
# What the customer sent, as the notes on the card name it.
KIND_LABELS = {
    "photo": gettext_lazy("photo"), "document": gettext_lazy("document"), "doc": gettext_lazy("document"),
    "video": gettext_lazy("video"), "voice": gettext_lazy("voice message"),
    "audio_message": gettext_lazy("voice message"), "audio": gettext_lazy("audio"),
    "video_note": gettext_lazy("video message"),
}


@task()
def fetch_received_files_task(inbound_message_id: int, complaint_id: int) -> int:
    """Fetch the files of one received message and attach them to its card; how many were attached.
    Never raises: whatever goes wrong with a file is a note on the card, or at least in the log."""
    message = InboundMessage.objects.filter(pk=inbound_message_id).first()
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if message is None or complaint is None:  # removed before the worker got to it
        return 0
    source = WebhookSource.objects.filter(name=message.source.partition(":")[2]).first()
    try:
        # Read again from the stored body: the queue keeps only the two IDs.
        remote_files = parser_for(message)(message).remote_files
    except Exception as error:  # noqa: BLE001 - it was read before; whatever changed, the log says
        logger.warning("Files of inbound message %s not read: %s", message.pk, _masked(str(error), source))
        return 0
    attached = 0
    # The notes stay on the card: in the installation's language, wherever the job runs.
    with translation.override(settings.LANGUAGE_CODE):
        for remote in remote_files:
            reference = f"received-file:{message.pk}:{remote.key}"
            if complaint.events.filter(reference=reference).exists():  # done by an earlier run
                continue
            try:
                attached += _receive(source, complaint, remote, reference)
            except Exception as error:  # noqa: BLE001 - database or storage; nothing recorded, a rerun tries again
                logger.warning("Received file %s for %s not recorded: %s", remote.name, complaint.number,
                               _masked(f"{type(error).__name__}: {error}", source))
    return attached


def _receive(source: WebhookSource | None, complaint: Complaint, remote: RemoteFile, reference: str) -> bool:
    what = {
        "platform": PLATFORMS.get(source.kind if source else "", ""),
        "kind": KIND_LABELS.get(remote.kind, remote.kind), "name": remote.name,
    }
    try:
        upload = _fetch(source, remote)
    except FileRefused as refusal:
        logger.warning("Received file %s for %s not attached: %s", remote.name, complaint.number, refusal)
        note = _("A file the customer sent through %(platform)s was not attached: %(kind)s “%(name)s”. "
                 "%(reason)s") % {**what, "reason": refusal}
        complaint_receive_file(complaint=complaint, reference=reference, note=_masked(note, source))
        return False
    with upload:  # closing removes the temporary file, unless the storage moved it into place
        note = _("Received from the customer through %(platform)s: %(kind)s “%(name)s”.") % what
        attachment = complaint_receive_file(
            complaint=complaint, reference=reference, note=_masked(note, source), upload=upload,
        )
    return attachment is not None


def _fetch(source: WebhookSource | None, remote: RemoteFile) -> UploadedFile:
    """The file, checked like any upload (its type, its size); every failure as a FileRefused in an
    operator's words."""
    if source is None:
        raise FileRefused(_("The webhook source it came through no longer exists."))
    try:
        # The type and the size the platform declares are checked before anything is downloaded.
        attachment_check(UploadedFile(name=remote.name, size=remote.size or 0))
        return _download(telegram.file_url(source, remote) if remote.file_id else remote.url, remote)
    except FileRefused as refusal:
        raise FileRefused(_masked(str(refusal), source)) from None
    except ValidationError as refusal:
        raise FileRefused(" ".join(refusal.messages)) from None
    except requests.Timeout:
        raise FileRefused(str(SLOW)) from None
    except requests.RequestException:
        # Not the error itself: it names the URL, which holds Telegram's bot token.
        raise FileRefused(_("The platform could not be reached.")) from None
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
        logger.warning("Fetching %s failed: %s", remote.name, _masked(f"{type(error).__name__}: {error}", source))
        raise FileRefused(_("An unexpected error occurred (see the server log).")) from None


def _download(url: str, remote: RemoteFile) -> UploadedFile:
    """The file at `url` in a temporary file, streamed; refused past the attachment size limit."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FileRefused(_("Its link is not a web address, so it was not opened."))
    limit = settings.AMENDS_ATTACHMENT_MAX_BYTES
    too_large = FileRefused(_("It is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)})
    deadline = time.monotonic() + DOWNLOAD_SECONDS
    with get(url, stream=True) as response:
        if response.status_code != 200:
            raise FileRefused(_("The download was refused (HTTP %(status)d).") % {"status": response.status_code})
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        # Telegram serves every file as application/octet-stream: the name says more.
        content_type = (remote.mime_type or mimetypes.guess_type(remote.name)[0]
                        or response.headers.get("Content-Type", "").split(";")[0].strip())
        upload = TemporaryUploadedFile(remote.name, content_type[:100], 0, None)
        size = 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                upload.size = size
                if size > limit:
                    raise too_large
                if time.monotonic() > deadline:
                    raise FileRefused(str(SLOW))
                upload.write(chunk)
        except BaseException:
            upload.close()
            raise
    upload.seek(0)
    return upload


def _masked(text: str, source: WebhookSource | None) -> str:
    """Telegram puts the bot token in its URLs, and errors repeat URLs."""
    if source is not None and source.outbound_token:
        return text.replace(source.outbound_token, "***")
    return text
