"""Timeline entries kept as a message code and its parameters, worded when read: in the reader's
language and date format, whoever wrote them (docs/architecture.md, "Lifecycle events").

Each (kind, code) has one renderer: params -> text in the active language. The app that writes the
entries registers its renderers (measures here; deadlines from its AppConfig.ready); the writer's
text is the same renderer run in the writer's language, kept for search, audit and old readers.
Dates and times sit in params in ISO, clock kinds and steps as codes, people by name.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from amends.core.dates import date_text, datetime_text

from .choices import EventKind

Params = dict[str, Any]
Renderer = Callable[[Params], str]

_RENDERERS: dict[tuple[str, str], Renderer] = {}

MEASURE_PLANNED, MEASURE_REMOVED, MEASURE_DONE = "planned", "removed", "done"
# A note: a text went to the customer although a check of outgoing texts (the tone check) found something.
SENT_DESPITE_CHECK = "sent_despite_check"


def event_text_register(kind: str, code: str, render: Renderer) -> None:
    _RENDERERS[(kind, code)] = render


def event_text(kind: str, code: str, params: Params) -> str | None:
    """The entry worded in the active language; None when no renderer knows it (the stored text stands)."""
    render = _RENDERERS.get((kind, code))
    if render is None:
        return None
    try:
        return render(params)
    except (KeyError, TypeError, ValueError):  # params an erasure or an older writer left incomplete
        return None


def iso_date(value: str) -> str:
    return date_text(date.fromisoformat(value))


def iso_datetime(value: str) -> str:
    return datetime_text(datetime.fromisoformat(value))


def _measure_planned(params: Params) -> str:
    return _("Measure planned: %(measure)s — %(executor)s, due %(due)s") % {
        "measure": params["measure"], "executor": params["executor"], "due": iso_date(params["due"]),
    }


def _measure_removed(params: Params) -> str:
    return _("Measure removed: %(measure)s") % {"measure": params["measure"]}


def _measure_done(params: Params) -> str:
    # A description that ends a sentence already would read "route.. Report" (or "։։" in Armenian).
    return _("Measure done: %(measure)s. Report: %(report)s") % {
        "measure": params["measure"].rstrip(".։"), "report": params["report"],
    }


event_text_register(EventKind.MEASURE, MEASURE_PLANNED, _measure_planned)
event_text_register(EventKind.MEASURE, MEASURE_REMOVED, _measure_removed)
event_text_register(EventKind.MEASURE, MEASURE_DONE, _measure_done)


def _sent_despite_check(params: Params) -> str:
    return _("Sent to the customer despite the tone check (%(findings)s). Reason: %(reason)s") % {
        "findings": "; ".join(params["findings"]), "reason": params["reason"],
    }


event_text_register(EventKind.NOTE, SENT_DESPITE_CHECK, _sent_despite_check)
