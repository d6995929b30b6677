"""Pieces of the OpenAPI description shared by the endpoints: error bodies and common parameters."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from amends.complaints.converters import NUMBER_PATTERN

from .idempotency import HEADER, MAX_LENGTH

# Up to 18 digits: any such number fits the database's 64-bit keys.
ID_PATTERN = "[0-9]{1,18}"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("A message for a person."))
    code = serializers.CharField(help_text=_("A stable code for a program, e.g. transition_not_allowed."))


class ValidationErrorSerializer(ErrorSerializer):
    # A declared field: the serializer's metaclass takes it off the class, so Serializer.errors stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(), required=False,
        help_text=_("Messages per field (lists of strings; nested objects for nested fields); "
                    "non_field_errors for the request as a whole. Absent when the body could not be read."),
    )


ERROR_DESCRIPTIONS = {
    400: _("Invalid input: messages per field."),
    401: _("No valid token: send the header Authorization: Token <key>."),
    403: _("Your role does not allow this."),
    404: _("No such complaint, or it is not visible to you."),
    409: _("The action is not possible in the card's current state, or the card changed since you read it."),
    413: _("The request body or file is too large."),
    415: _("Unsupported content type."),
    422: _("The Idempotency-Key was already used with a different request."),
    429: _("Too many requests: wait the number of seconds in the Retry-After header."),
}


# An operation on one letter, grant, delivery or measure of the card: its ID may be of no such object too.
OBJECT_NOT_FOUND = _("No such complaint, or it is not visible to you; or the ID in the path is of nothing on it.")


def errors(*codes: int, object_in_path: bool = False) -> dict[int, OpenApiResponse]:
    """Documented error responses for an operation."""
    descriptions = ERROR_DESCRIPTIONS | ({404: OBJECT_NOT_FOUND} if object_in_path else {})
    return {
        code: OpenApiResponse(
            ValidationErrorSerializer if code == 400 else ErrorSerializer, description=descriptions[code],
        )
        for code in codes
    }


NUMBER_PARAMETER = OpenApiParameter(
    "number", {"type": "string", "pattern": f"^{NUMBER_PATTERN}$"}, OpenApiParameter.PATH,
    description=_("The card number, e.g. 2026-000123."),
)

def id_parameter(name: str, description) -> OpenApiParameter:
    """A path parameter matching ID_PATTERN: an object of the card by its ID."""
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, OpenApiParameter.PATH,
        description=description,
    )


MEASURE_PARAMETER = id_parameter("measure_id", _("The measure's ID, as the card lists it."))
LETTER_PARAMETER = id_parameter("letter_id", _("The letter's ID, as the card's letters list it."))
GRANT_PARAMETER = id_parameter("grant_id", _("The grant's ID, as the card's compensation lists it."))
DELIVERY_PARAMETER = id_parameter("delivery_id", _("The delivery's ID on this complaint."))

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER, {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH}, OpenApiParameter.HEADER,
    required=False,
    description=_("A unique value per complaint you send (e.g. a UUID). A retry with the same key and body "
                  "returns the first answer and creates nothing; the same key with a different body gives 422."),
)

# The same header on the card's writes a retry must not repeat (a second e-mail, a second grant).
IDEMPOTENT_WRITE_PARAMETER = OpenApiParameter(
    HEADER, {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH}, OpenApiParameter.HEADER,
    required=False,
    description=_("A unique value per request you mean to make once (e.g. a UUID). A retry with the same key "
                  "and body returns the first answer and does nothing again; the same key with a different "
                  "body gives 422."),
)

__all__ = [
    "NUMBER_PARAMETER", "MEASURE_PARAMETER", "LETTER_PARAMETER", "GRANT_PARAMETER", "DELIVERY_PARAMETER",
    "IDEMPOTENCY_PARAMETER", "IDEMPOTENT_WRITE_PARAMETER", "OpenApiTypes", "errors",
]
