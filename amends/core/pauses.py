"""Long background work gives way, between its steps, to work that must not wait for it.

A worker runs one job at a time, so a job of a minute (a model trained on a million cards) would hold
up the registration of every complaint that arrives meanwhile. The worker registers its intake here
(`on_pause`); a long job calls `pause_point()` between its steps, outside any transaction, and the
waiting submissions get their cards there. Elsewhere (web requests, commands) nothing is registered
and a pause point costs nothing.
"""

from collections.abc import Callable

from django.db import connection

_handlers: list[Callable[[], object]] = []
_pausing = False


def on_pause(handler: Callable[[], object]) -> None:
    """Run `handler` at every pause point of this process (once, however often it is registered)."""
    if handler not in _handlers:
        _handlers.append(handler)


def pause_off(handler: Callable[[], object]) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def pause_point() -> None:
    """Let the registered work run, unless inside a transaction (its writes would wait for the job's)
    or inside that work itself."""
    global _pausing
    if _pausing or connection.in_atomic_block:
        return
    _pausing = True
    try:
        for handler in list(_handlers):
            handler()
    finally:
        _pausing = False
