"""The deadline entries of the timeline, worded in the reader's language (complaints/event_texts.py).

Params name clocks by kind, steps by level and presets by code, dates and times in ISO, people by name.
"""

from django.utils.translation import gettext as _

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, event_text_register, iso_datetime

from .choices import ClockKind, Level, Preset

STEP_CODES = {Level.AT_RISK: "at_risk", Level.BREACHED: "breached", Level.ESCALATED: "escalated"}


def due_change(clock: str, before: str, after: str) -> dict[str, str]:
    """One clock's due time moving, as a retimed or recomputed entry keeps it."""
    return {"clock": clock, "before": before, "after": after}


def _changes(params: Params) -> list[str]:
    return [
        _("%(clock)s: due %(before)s → %(after)s") % {
            "clock": ClockKind(change["clock"]).label,
            "before": iso_datetime(change["before"]), "after": iso_datetime(change["after"]),
        }
        for change in params["changes"]
    ]


def _retimed(params: Params) -> str:
    return "\n".join(_changes(params))


def _recomputed(params: Params) -> str:
    return _("Deadlines recomputed with the current policies.") + "\n" + (
        "\n".join(_changes(params)) or _("No deadline changed.")
    )


def _waiting(params: Params) -> str:
    return _("Waiting for the customer: %(reason)s. The deadlines are paused.") % {"reason": params["reason"]}


def _resumed(params: Params) -> str:
    return _("No longer waiting for the customer (%(reason)s). The deadlines run again.") % {
        "reason": params["reason"],
    }


def _preset(params: Params) -> str:
    return _("Statutory terms: %(preset)s.\n%(clocks)s") % {
        "preset": Preset(params["preset"]).label,
        "clocks": "\n".join(
            _("%(clock)s: due %(due)s") % {"clock": ClockKind(c["clock"]).label, "due": iso_datetime(c["due"])}
            for c in params["clocks"]
        ),
    }


def _extended(params: Params) -> str:
    return _("%(clock)s extended: due %(before)s → %(after)s. Reason: %(reason)s") % {
        "clock": ClockKind(params["clock"]).label, "before": iso_datetime(params["before"]),
        "after": iso_datetime(params["after"]), "reason": params["reason"],
    }


def _step(params: Params) -> str:
    text = _("%(step)s: %(clock)s, due %(due)s. Notified: %(people)s.") % {
        "step": Level(params["step"]).label, "clock": ClockKind(params["clock"]).label,
        "due": iso_datetime(params["due"]), "people": ", ".join(params["people"]) or _("nobody"),
    }
    if params["passed"]:
        text += " " + _("Passed before the first check, not announced apart: %(steps)s.") % {
            "steps": ", ".join(str(Level(step).label) for step in params["passed"]),
        }
    return text


def register() -> None:
    for code, render in [
        ("retimed", _retimed), ("recomputed", _recomputed), ("waiting", _waiting), ("resumed", _resumed),
        ("preset", _preset), ("extended", _extended), *((code, _step) for code in STEP_CODES.values()),
    ]:
        event_text_register(EventKind.DEADLINE, code, render)
