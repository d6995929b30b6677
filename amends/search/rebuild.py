"""Who fills each index: the app that owns its documents registers how (from its AppConfig.ready()),
so that the command `search_index` rebuilds them all without knowing the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass

from .engine import Index


@dataclass(frozen=True)
class Filler:
    index: Index
    # fill(every_document, progress) -> how many documents it indexed; every_document False: only
    # the objects missing from the index.
    fill: Callable[[bool, Callable[[int], None] | None], int]


FILLERS: dict[str, Filler] = {}


def register_filler(name: str, index: Index, fill: Callable[[bool, Callable[[int], None] | None], int]) -> None:
    FILLERS[name] = Filler(index, fill)
