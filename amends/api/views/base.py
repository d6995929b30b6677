"""What every API endpoint shares: JSON in and out, the user's language, the card lookup, who
writes on it, and Idempotency-Key."""

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from amends.complaints.access import access_writer, can_write
from amends.complaints.models import Complaint
from amends.complaints.selectors import complaint_get
from amends.intake.services import card_or_registered_now

from .. import idempotency
from ..exceptions import Conflict
from ..parsers import BoundedJSONParser


class ApiView(APIView):
    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # As in the UI: the language the user chose wins over the client's Accept-Language.
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)


def card(request, number: str) -> Complaint:
    """The card as this user may see it; an invisible card is as absent as an unknown one. A card
    still waiting in the intake pipeline is registered now."""
    try:
        return card_or_registered_now(lambda: complaint_get(request.user, number), number)
    except Complaint.DoesNotExist:
        raise NotFound(_("No such complaint.")) from None


def writer(request, complaint: Complaint, write: str) -> None:
    """Before the body is read: 403 for one who does not make this write (a key of access.WRITES) on
    the card; 409 for one who does, when the card's state no longer allows it (a closed card), as the
    API answers every "not in this state"."""
    access_writer(request.user, complaint, write)
    if not can_write(request.user, complaint, write):
        raise Conflict(_("Complaint %(number)s is %(state)s: this can no longer be done.") % {
            "number": complaint.number, "state": complaint.get_state_display(),
        }, code="transition_not_allowed")


def _idempotency_key(request) -> str | None:
    key = request.headers.get(idempotency.HEADER)
    if key is None:
        return None
    key = key.strip()
    # Control characters too: a NUL is what PostgreSQL cannot store.
    if not key or len(key) > idempotency.MAX_LENGTH or not key.isprintable():
        raise ValidationError({idempotency.HEADER: _("Give a key of 1 to %(max)d characters.")
                               % {"max": idempotency.MAX_LENGTH}})
    return key


def idempotent(request, perform: Callable[[], tuple[int, Any]]) -> Response:
    """`perform` (→ status, body) once per Idempotency-Key of this user; a retry gets its first answer
    with Idempotent-Replayed: true. Without the header it simply runs."""
    key = _idempotency_key(request)
    if key is None:
        status_code, body = perform()
        return Response(body, status=status_code)
    outcome = idempotency.run_once(
        user=request.user, key=key, perform=perform,
        request_fingerprint=idempotency.fingerprint(method=request.method, path=request.path, data=request.data),
    )
    response = Response(outcome.body, status=outcome.status_code)
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
