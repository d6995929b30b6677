"""Every API error as JSON: {"detail", "code"} and, for invalid input, "errors" per field.

The services raise the named errors of `amends.core.errors`; this handler is the one place
that turns them into HTTP statuses, the same for every endpoint.
"""

import logging

from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse, UnreadablePostError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the card.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("The request cannot be processed.")
    default_code = "unprocessable"


class LockedOut(exceptions.APIException):
    """django-axes refused a login: answered 429, as the login page answers it."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = gettext_lazy(
        "Too many failed logins for this account or from this address. Try again later, or ask an "
        "administrator to lift the block."
    )
    default_code = "locked_out"

    def __init__(self, wait: int | None):
        super().__init__()
        self.wait = wait  # seconds, sent as Retry-After by REST framework's handler


def _validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": error.messages}
    return exceptions.ValidationError(detail)


def as_api_exception(exc: Exception) -> Exception:
    """A service's named error, or a Django request error, as the REST framework exception it means."""
    if isinstance(exc, DjangoValidationError):
        return _validation_error(exc)
    if isinstance(exc, AccessDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, TransitionNotAllowed):
        return Conflict(str(exc), code="transition_not_allowed")
    if isinstance(exc, StaleObject):
        return Conflict(str(exc), code="stale_version")
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return exceptions.NotFound(_("Not found."))
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation | UnreadablePostError):
        return exceptions.ParseError(_("The request could not be read."))
    return exc


def error_body(exc: exceptions.APIException, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        return {"detail": _("The request has invalid fields."), "code": "invalid", "errors": errors}
    detail = data.get("detail", "") if isinstance(data, dict) else data
    code = exc.get_codes()
    return {"detail": str(detail), "code": code if isinstance(code, str) else exc.default_code}


def handler(exc: Exception, context: dict) -> Response:
    exc = as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.error("Unhandled API error", exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("Internal error. It has been logged."), "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    # REST framework answers only its own exceptions; the others were turned into them above.
    assert isinstance(exc, exceptions.APIException)
    response.data = error_body(exc, response.data)
    return response


@csrf_exempt
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that matches no endpoint: JSON, like every other API error."""
    return JsonResponse({"detail": _("There is no such API endpoint."), "code": "not_found"}, status=404)
