"""The names a letter template may use: each part of the app registers the names it fills from the
card, and the sandbox allows exactly those (a template naming another is refused when saved)."""

from collections.abc import Callable
from typing import Any

from amends.complaints.models import Complaint

ContextProvider = Callable[[Complaint], dict[str, Any]]
_PROVIDERS: dict[str, tuple[frozenset[str], ContextProvider]] = {}


def register_letter_context(names: frozenset[str], provider: ContextProvider) -> None:
    """`provider(card)` returns a dict with exactly `names` as keys."""
    for name in names:
        _PROVIDERS[name] = (names, provider)


def allowed_names() -> frozenset[str]:
    return frozenset(_PROVIDERS)


def letter_context(complaint: Complaint) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in {id(p): p for _names, p in _PROVIDERS.values()}.values():
        context.update(provider(complaint))
    return context
