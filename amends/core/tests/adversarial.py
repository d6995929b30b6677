"""Hostile texts of 1 MB for the intake and duplicate paths, and a time bound that fails fast."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from amends.core.budget import time_budget

SIZE = 1_000_000
# What made a pattern retry from every position: long runs of what an e-mail address, a tag, a
# quoted-reply attribution or a character reference is made of.
TEXTS = {
    "letters": "a" * SIZE,
    "digits": "1" * SIZE,
    "nested quotes": "\"'" * (SIZE // 2),
    "at signs": "@" * SIZE,
    "letters and at signs": "a@" * (SIZE // 2),
    "dots": "." * SIZE,
    "dashes": "-" * SIZE,
    "dotted words": "a." * (SIZE // 2),
    "unclosed tags": "<" * SIZE,
    "masks": "x" * SIZE,
    "long character reference": "&#" + "1" * (SIZE - 2),
    "nested quote markers": (">" * 200 + " x\n") * (SIZE // 203),
    "deep quote marker": ">" * SIZE,
    "attribution-like lines": ("1" * 299 + ":\n>\n") * (SIZE // 303),
    "two-line attributions": ("1" * 250 + "\n" + "a" * 293 + "wrote:\n>\n") * (SIZE // 550),
}


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail when the block takes longer: interrupted at the bound, so a quadratic case fails in
    seconds instead of running for an hour."""
    started = time.perf_counter()
    with time_budget(seconds, "The block"):
        yield
    assert time.perf_counter() - started < seconds
