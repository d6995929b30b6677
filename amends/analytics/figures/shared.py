"""Figures several charts of one page read, computed once while the page's charts are computed.

A dashboard's charts run inside `computed_together()` (dashboards.dashboard_charts, the API's figures):
there a chart asks `once(key, compute)` and the second chart asking for the same key gets the first
one's result. Outside it (a chart alone, a drill, a test) every call computes afresh, so nothing is
kept beyond one page's computing and a new card shows at the next request."""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_computed: ContextVar[dict[Hashable, object] | None] = ContextVar("analytics_computed", default=None)


@contextmanager
def computed_together() -> Iterator[None]:
    token = _computed.set({})
    try:
        yield
    finally:
        _computed.reset(token)


def once(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or its result from earlier in the same computed_together(); the key names the figure,
    the user and the filters it was computed for."""
    computed = _computed.get()
    if computed is None:
        return compute()
    if key not in computed:
        computed[key] = compute()
    return computed[key]  # type: ignore[return-value]
