"""The complaint list, open to other apps.

Higher apps (deadlines) add to the list in their AppConfig.ready(), so complaints never imports
them: annotations on the list's query, filters (a field of the filter form and how its value
narrows the query), sort keys, columns (a header and a cell template), actions on the selected
cards and tools for the whole filtered list. The API's list uses the same query, annotations,
filters' query parts and sort keys.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import Promise, cached_property

from .choices import Importance, State

Annotate = Callable[[QuerySet], QuerySet]

# Sort key → order_by expression; complaints' own here, other apps' from register_list_sort.
SORTS: dict[str, Any] = {
    "received": "received_at", "-received": "-received_at",
    "number": "number", "-number": "-number",
    "state": "state_rank", "-state": "-state_rank",
    "importance": "importance_rank", "-importance": "-importance_rank",
}
# Sorts by a column's place in a fixed order (the lifecycle, the scale of importance): the rank annotation
# → the column and its values in ascending order. The list is then read a value at a time, newest first,
# off the column's own index (BoundedPaginator), instead of ranking a million cards to show 25.
RANKED_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "state_rank": ("state", tuple(State.values)),
    "importance_rank": ("importance", tuple(Importance.values)),
}
ANNOTATIONS: dict[str, Annotate] = {}
# Sorts whose pages another app reads its own way (register_list_sort's `pager`), e.g. off an index of its
# own table: (the filtered list, descending, the order after the sort key, bottom, top) -> the page's keys.
Pager = Callable[[QuerySet, bool, tuple, int, int], list[Any]]
PAGERS: dict[Any, tuple[Pager, bool]] = {}  # the sort's order_by expression -> its pager, descending


@dataclass(frozen=True)
class ListFilter:
    name: str
    # A new form field each call (forms keep state); shown beside the state filter.
    field: Callable[[], Any]
    # Called only with a non-empty cleaned value.
    apply: Callable[[QuerySet, Any], QuerySet]


@dataclass(frozen=True)
class ListColumn:
    name: str  # also the cell's class
    header: str | Promise
    template: str  # the cell's content, with the listed card as `c`
    sort: str = ""  # a sort key; the header then sorts by it, and by "-key" when clicked again
    order: int = 100  # after complaints' own columns, by this order


@dataclass(frozen=True)
class ListAction:
    """Something done to the cards ticked in the list. The list has one selection form (id
    `list-selection`, complaints' own bulk assign among it): the ticked numbers arrive as `bulk-cards`,
    the list's filters as `bulk-query`; the action's template holds its fields and its buttons, each
    posting to its own URL with `formaction` (and `formnovalidate`, since the form holds other
    actions' fields). An action with a text field goes first: Enter submits the form's first button."""

    name: str
    template: str
    offered: Callable[[Any], bool]  # (user) -> shown to them
    context: Callable[[Any], dict[str, Any]] | None = None  # (request) -> the template's context
    order: int = 100


@dataclass(frozen=True)
class RenderedAction:
    """An action with its context, as list_tools.html's {% card_panel %} renders it."""

    name: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class ListTool:
    """Something done with the whole filtered list (analytics' export), beside the saved filters; its
    template reads the list's context (`selection_query`: the list's filters and sort)."""

    name: str
    template: str
    order: int = 100


# The list counts this many cards at most ("more than 10,000"), and pages as far: a count of a million
# cards costs seconds, and nobody reads page 401; filters or the other sort reach the rest. The API's
# list counts as far.
COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """Pages of a list that counts at most `limit` items: counting a million cards costs more than
    showing a page of them. The pages reach as far as the count; `more` says the list goes on past it,
    for the page to say "more than" and to suggest narrowing the filters."""

    def __init__(
        self, object_list: QuerySet, per_page: int, limit: int,
        rows: Callable[[list[Any]], dict[Any, Any]] | None = None, *, short: bool = False,
    ) -> None:
        super().__init__(object_list, per_page)
        self.items = object_list
        self.limit = limit
        # The items of a page by key; by default the list's own query narrowed to the keys.
        self.rows = rows or object_list.order_by().in_bulk
        # A list of a few keys whatever the number of cards (a search's matches): its keys are read
        # once, in order, for its count and its page, rather than each looked up twice.
        self.short = short

    @cached_property
    def _keys(self) -> list[Any]:
        return list(self.items.values_list("pk", flat=True)[: self.limit + 1])

    @cached_property
    def _counted(self) -> int:
        if self.short:
            return len(self._keys)
        # One past the limit: whether there are more, from a query that stops there; the keys alone, in
        # no order, so that neither the columns' annotations nor a sort are computed to count.
        return self.items.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def more(self) -> bool:
        return self._counted > self.limit

    def page(self, number: Any) -> Page:
        """The page's keys first, in the list's order, then those items with the columns' annotations:
        a sort over many rows then carries the keys alone, and the annotations are computed for the
        page only."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)  # the last page stops at the limit
        order = self.items.query.order_by
        ranked = RANKED_SORTS.get(str(order[0]).lstrip("-")) if order else None
        paged = PAGERS.get(order[0]) if order else None
        if self.short:
            keys = self._keys[bottom:top]
        elif paged:
            pager, descending = paged
            keys = pager(self.items, descending, tuple(order[1:]), bottom, top)
        elif ranked:
            column, values = ranked
            descending = str(order[0]).startswith("-")
            keys = self._ranked_keys(column, values[::-1] if descending else values, tuple(order[1:]), bottom, top)
        else:
            keys = list(self.items.values_list("pk", flat=True)[bottom:top])
        found = self.rows(keys)
        return Page([found[key] for key in keys if key in found], number, self)

    def _ranked_keys(self, column: str, values: tuple[str, ...], then: tuple, bottom: int, top: int) -> list[Any]:
        """The keys from `bottom` to `top` of a list sorted by a column's rank, then by `then`: how many
        cards each value has (counted no further than `top`, in one query), then the page's part of
        each value it spans, off that value's index."""
        groups = [self.items.filter(**{column: value}) for value in values]
        arms: list[str] = []
        params: list[Any] = []
        for place, group in enumerate(groups):
            sql, group_params = group.order_by().values("pk")[:top].query.sql_with_params()
            arms.append(f"SELECT {place}, COUNT(*) FROM ({sql}) AS group_{place}")
            params += group_params
        with connections[self.items.db].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(arms), params)
            sizes = dict(cursor.fetchall())
        keys: list[Any] = []
        start = 0  # the group's first card's place in the whole list
        for place, group in enumerate(groups):
            size = sizes.get(place, 0)
            if size and start + size > bottom and start < top:
                offset = max(bottom - start, 0)
                keys += group.order_by(*then).values_list("pk", flat=True)[offset:offset + top - bottom - len(keys)]
            start += size
        return keys


FILTERS: dict[str, ListFilter] = {}
ACTIONS: dict[str, ListAction] = {}
COLUMNS: dict[str, ListColumn] = {}
TOOLS: dict[str, ListTool] = {}


def register_list_annotation(name: str, annotate: Annotate) -> None:
    """`annotate(queryset)` adds what a column, filter or sort of the same app reads."""
    ANNOTATIONS[name] = annotate


def register_list_filter(name: str, *, field: Callable[[], Any], apply: Callable[[QuerySet, Any], QuerySet]) -> None:
    FILTERS[name] = ListFilter(name, field, apply)


def register_list_sort(key: str, ascending: Any, descending: Any, *, pager: Pager | None = None) -> None:
    """Sort keys `key` and `-key`; `pager` reads a page of either (see PAGERS) when the database cannot
    read it off an index of the card table."""
    SORTS[key], SORTS[f"-{key}"] = ascending, descending
    if pager is not None:
        PAGERS[ascending], PAGERS[descending] = (pager, False), (pager, True)


def register_list_column(
    name: str, header: str | Promise, template: str, *, sort: str = "", order: int = 100,
) -> None:
    COLUMNS[name] = ListColumn(name, header, template, sort, order)


def list_columns() -> list[ListColumn]:
    return sorted(COLUMNS.values(), key=lambda c: (c.order, c.name))


def register_list_action(
    name: str, template: str, *, offered: Callable[[Any], bool],
    context: Callable[[Any], dict[str, Any]] | None = None, order: int = 100,
) -> None:
    ACTIONS[name] = ListAction(name, template, offered, context, order)


def list_actions(request: Any) -> list[RenderedAction]:
    """The actions offered to this request's user, in order, with their context."""
    return [
        RenderedAction(a.name, a.template, a.context(request) if a.context else {})
        for a in sorted(ACTIONS.values(), key=lambda a: (a.order, a.name)) if a.offered(request.user)
    ]


def register_list_tool(name: str, template: str, *, order: int = 100) -> None:
    TOOLS[name] = ListTool(name, template, order)


def list_tools() -> list[ListTool]:
    return sorted(TOOLS.values(), key=lambda t: (t.order, t.name))
