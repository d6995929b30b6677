"""Named errors raised by services; views and the API turn them into messages."""

from django.core.exceptions import ValidationError

__all__ = ["AccessDenied", "StaleObject", "TransitionNotAllowed", "ValidationError"]


class AccessDenied(Exception):
    """The user may not see or do this."""


class TransitionNotAllowed(Exception):
    """The transition does not start from the card's current state."""


class StaleObject(Exception):
    """Someone else changed the object after the form was opened."""
