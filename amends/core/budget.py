"""A time budget for one piece of background work: past it, the work is interrupted.

Python code takes no timeout, but a SIGALRM handler runs between two of its steps and raises
there. The regex engine checks for signals only every few thousand match attempts, so a pattern
that rescans a long text at each attempt overruns its budget by far: the patterns themselves
must be linear, and the budget is the backstop. Signals reach only the main thread, so elsewhere
(a web server's threads) the budget is not enforced.
"""

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

F = TypeVar("F", bound=Callable)


class TimeBudgetExceeded(Exception):  # noqa: N818 - reads as what happened, like TimeoutError
    """Raised inside the work that ran past its budget."""

    def __init__(self, message: str, seconds: float = 0):
        super().__init__(message)
        self.seconds = seconds


def job_time_budget(seconds: float) -> Callable[[F], F]:
    """Declare a job's own time budget, in place of the worker's default (AMENDS_JOB_TIME_BUDGET), on
    a task's function (below its @task): for a job that needs longer, or should take less."""

    def declare(func: F) -> F:
        func.time_budget = seconds  # type: ignore[attr-defined]
        return func

    return declare


@contextmanager
def time_budget(seconds: float, what: str) -> Iterator[None]:
    """Run the block for at most `seconds`, else raise TimeBudgetExceeded in it. Within another
    budget that ends sooner, that one stays in charge; the outer one runs on after this block."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer_left, _interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield
        return

    def expired(signum, frame):
        raise TimeBudgetExceeded(f"{what} ran over its time budget of {seconds:g} s", seconds)

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))
