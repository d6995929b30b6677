"""JSON from outside, within bounds: a document nested deeper than any real payload is refused as
invalid, instead of a RecursionError in the parser or in whatever walks the data later."""

import json

MAX_DEPTH = 64  # the real payloads (API, messenger updates) nest fewer than 10 levels


class TooDeep(ValueError):
    """The document nests arrays and objects deeper than MAX_DEPTH."""


def depth_check(value: object, max_depth: int = MAX_DEPTH) -> None:
    """Raise TooDeep when parsed JSON nests deeper than `max_depth`; walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > max_depth:
            raise TooDeep(f"JSON nested deeper than {max_depth} levels.")
        stack.extend((child, depth + 1) for child in children)


def json_loads_bounded(data: bytes | str, max_depth: int = MAX_DEPTH) -> object:
    """json.loads, with a too deeply nested document a ValueError (TooDeep) like any invalid one."""
    try:
        value = json.loads(data)
    except RecursionError as error:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels.") from error
    depth_check(value, max_depth)
    return value
