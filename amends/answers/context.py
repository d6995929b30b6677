"""The names a letter template may use: each part of the app registers the names it fills from the
card, and the sandbox allows exactly those (a template naming another is refused when saved)."""

from collections.abc import Callable, Mapping
from typing import Any

from amends.complaints.models import Complaint

ContextProvider = Callable[[Complaint], dict[str, Any]]
_PROVIDERS: dict[str, tuple[frozenset[str], ContextProvider]] = {}
# What each name holds, for the sandbox to refuse an attribute it does not have: None a plain value,
# a dict its keys (each with its own shape), a one-item list the shape of every element.
_SHAPES: dict[str, Any] = {}


def register_letter_context(
    names: frozenset[str], provider: ContextProvider, shapes: Mapping[str, Any] | None = None,
) -> None:
    """`provider(card)` returns a dict with exactly `names` as keys; a name missing from `shapes` is
    a plain value (a template may not look into it)."""
    for name in names:
        _PROVIDERS[name] = (names, provider)
        _SHAPES[name] = (shapes or {}).get(name)


def allowed_names() -> frozenset[str]:
    return frozenset(_PROVIDERS)


def name_shapes() -> dict[str, Any]:
    return dict(_SHAPES)


def letter_context(complaint: Complaint) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in {id(p): p for _names, p in _PROVIDERS.values()}.values():
        context.update(provider(complaint))
    return context
