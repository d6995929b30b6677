"""POST /intake/mailgate/: what `amends mailgate --url` posts, one signed message a request."""

import logging
import tempfile

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amends.intake.channels.webhooks.signing import (
    SIGNATURE_HEADER,
    body_hmac,
    plausible_signature,
    signed_digest,
)

from .services import NotStored, mailgate_deliver

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
SPOOL_BYTES = 1024 * 1024


def _text(line: str, status: int) -> HttpResponse:
    return HttpResponse(line, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def mailgate(request: HttpRequest) -> HttpResponse:
    secret, limit = settings.AMENDS_MAILGATE_SECRET, settings.AMENDS_MAILGATE_MAX_BYTES
    if not secret:
        raise Http404("The mailgate relay is off: AMENDS_MAILGATE_SECRET is not set.")
    header = request.headers.get(SIGNATURE_HEADER)
    if not plausible_signature(header):  # refused before a byte of the body is read
        return _text("Wrong or missing signature.", 403)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _text(f"The message is larger than {limit} bytes.", 413)
    # Read the stream, not request.body: mail is often larger than DATA_UPLOAD_MAX_MEMORY_SIZE. It goes
    # to a temporary file (on disk past SPOOL_BYTES) through the HMAC, so that an unsigned body is
    # refused without ever being held in memory; only a signed one is read back to be stored.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
        mac, size = body_hmac(secret), 0
        while chunk := request.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                return _text(f"The message is larger than {limit} bytes.", 413)
            mac.update(chunk)
            body.write(chunk)
        if not signed_digest(mac, header, secret):
            return _text("Wrong or missing signature.", 403)
        body.seek(0)
        raw = body.read()
    if not raw.strip():
        return _text("No message in the body.", 400)
    try:
        return _text(mailgate_deliver(raw), 200)
    except NotStored as error:
        logger.exception("mailgate relay: %s", error)
        return _text(str(error), 503)
