"""What both systems' side scripts share (each runs in its own environment): the command line."""

import sys
from collections.abc import Callable


def side_main(seed: Callable[[str], None], mailbox: Callable[..., None], count: Callable[[], None]) -> None:
    """`seed RECORDS`, `mailbox HOST PORT USER PASSWORD` or `count`."""
    command, *arguments = sys.argv[1:]
    {"seed": seed, "mailbox": mailbox, "count": count}[command](*arguments)
