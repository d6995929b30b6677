"""The wording of a nonconformity's timeline entries and of the card's entries about them, in the
reader's language. Each entry is kept as a code and its params (events.record_event, complaints'
events.event_nonconformity) and worded here, one section per part of the app in the order a record
meets them; `register()` puts every renderer in complaints' wording registry (a record's kinds
prefixed, models.nonconformities.record_kind)."""

from django.db.models import Field
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, Renderer, event_text_register, iso_date
from amends.deadlines.choices import Level
from amends.deadlines.event_texts import STEP_CODES

from .choices import (
    ActionKind,
    Category6M,
    NonconformityKind,
    NonconformityState,
    ProposalKind,
    RecordEventKind,
    Source,
)
from .lifecycle import CLOSE, REOPEN
from .models.nonconformities import Nonconformity, record_kind

# --- The record: opened, its owner, its complaints, its steps, its fields (nonconformities.py) ---

OPENED, OWNER_APPOINTED, STEP, CHANGED = "opened", "owner", "step", "changed"
# Complaints linked or unlinked: the same codes on the record's timeline and on the card's.
LINKED, UNLINKED = "linked", "unlinked"
# Long texts (a description) are kept whole in the params and cut on the timeline.
CHANGE_SHOWN_CHARS = 120


def _opened(params: Params) -> str:
    return _("Nonconformity opened (%(source)s): %(title)s") % {
        "source": Source(params["source"]).label, "title": params["title"],
    }


def _owner(params: Params) -> str:
    return _("Owner appointed: %(owner)s") % {"owner": params["owner"]}


def _linked(params: Params) -> str:
    return _("Complaints linked: %(cards)s") % {"cards": ", ".join(params["cards"])}


def _unlinked(params: Params) -> str:
    return _("Complaints unlinked: %(cards)s") % {"cards": ", ".join(params["cards"])}


def _step(params: Params) -> str:
    if params["step"] == REOPEN:
        text = _("Reopened (was “%(from)s”).") % {"from": NonconformityState(params["from"]).label}
    elif params["step"] == CLOSE:
        text = _("Closed.")
    else:
        text = _("Status: %(to)s.") % {"to": NonconformityState(params["to"]).label}
    if params.get("reason"):
        text = f"{text} {params['reason']}"
    if params.get("analysis_due"):  # a reopening's new deadlines (entries before them have none)
        text += " " + _("New deadlines: root cause analysis by %(analysis)s, actions planned by %(plan)s.") % {
            "analysis": iso_date(params["analysis_due"]), "plan": iso_date(params["plan_due"]),
        }
    return text


def _change(change: Params) -> str:
    field = change["field"]
    old, new = change["old"], change["new"]
    if field == "kind":
        old, new = NonconformityKind(old).label, NonconformityKind(new).label
    cut = [Truncator(value).chars(CHANGE_SHOWN_CHARS) if value else "—" for value in (old, new)]
    return _("%(field)s: “%(old)s” → “%(new)s”") % {
        "field": _field_label(field), "old": cut[0], "new": cut[1],
    }


def _field_label(name: str) -> str:
    field = Nonconformity._meta.get_field(name)
    assert isinstance(field, Field)
    return str(capfirst(field.verbose_name))


def _changed(params: Params) -> str:
    return _("Changed: %(changes)s") % {"changes": "; ".join(_change(change) for change in params["changes"])}


# --- The card's entries: linked, unlinked, its measure promoted (nonconformities.py, promotion.py) ---

CARD_PROMOTED = "promoted"


def _card_linked(params: Params) -> str:
    return _("Linked to the nonconformity %(number)s: %(title)s") % params


def _card_unlinked(params: Params) -> str:
    return _("Unlinked from the nonconformity %(number)s: %(title)s") % params


def _card_promoted(params: Params) -> str:
    return _(
        "Measure “%(measure)s” promoted to a corrective action of the nonconformity %(number)s: %(title)s"
    ) % params


# --- Proposals: the record opened from one (proposals.py) ---

PROPOSAL_ACCEPTED = "proposal"


def _proposal_accepted(params: Params) -> str:
    return _("Opened from the proposal of %(date)s: %(kind)s.") % {
        "date": iso_date(params["proposed_at"]), "kind": ProposalKind(params["kind"]).label,
    }


# --- Root cause: the 5 Whys, the fishbone's causes, the conclusion (root_cause.py) ---

WHYS_SAVED, CAUSE_ADDED, CAUSE_REMOVED, CAUSE_CONFIRMED, ROOT_CAUSE_STATED = (
    "whys", "cause_added", "cause_removed", "cause_confirmed", "concluded",
)


def _whys_saved(params: Params) -> str:
    steps = params["steps"]
    return ngettext(
        "5 Whys saved, %(count)d step; the deepest answer: %(because)s",
        "5 Whys saved, %(count)d steps; the deepest answer: %(because)s",
        len(steps),
    ) % {"count": len(steps), "because": steps[-1][1]}


def _cause_text(params: Params) -> dict[str, str]:
    return {"category": Category6M(params["category"]).label, "cause": params["text"]}


def _cause_added(params: Params) -> str:
    if params["is_root"]:
        return _("Fishbone, %(category)s: root cause added: %(cause)s") % _cause_text(params)
    return _("Fishbone, %(category)s: cause added: %(cause)s") % _cause_text(params)


def _cause_removed(params: Params) -> str:
    return _("Fishbone, %(category)s: cause removed: %(cause)s") % _cause_text(params)


def _cause_confirmed(params: Params) -> str:
    if params["is_root"]:
        return _("Fishbone, %(category)s: confirmed as a root cause: %(cause)s") % _cause_text(params)
    return _("Fishbone, %(category)s: no longer a root cause: %(cause)s") % _cause_text(params)


def _root_cause_stated(params: Params) -> str:
    return _("Root cause analysed: %(root_cause)s") % params


# --- Actions and their effectiveness checks (actions.py, effectiveness.py) ---

ACTION_PLANNED, ACTION_REPORTED, ACTION_DONE, ACTION_CANCELLED, ACTION_RESCHEDULED = (
    "planned", "reported", "done", "cancelled", "rescheduled",
)
CHECK_EFFECTIVE, CHECK_NOT_EFFECTIVE = "effective", "not_effective"


def _action_planned(params: Params) -> str:
    return _("%(kind)s planned: %(action)s — %(owner)s, due %(due)s, effectiveness checked on %(check_on)s") % {
        "kind": ActionKind(params["kind"]).label, "action": params["action"], "owner": params["owner"],
        "due": iso_date(params["due"]), "check_on": iso_date(params["check_on"]),
    }


def _action_reported(params: Params) -> str:
    return _("Action reported on: %(action)s — %(report)s") % params


def _action_done(params: Params) -> str:
    return _("Action done: %(action)s — %(report)s") % params


def _action_cancelled(params: Params) -> str:
    return _("Action cancelled: %(action)s — %(reason)s") % params


def _action_rescheduled(params: Params) -> str:
    return _("Action rescheduled: %(action)s — due %(due)s, effectiveness checked on %(check_on)s") % {
        "action": params["action"], "due": iso_date(params["due"]), "check_on": iso_date(params["check_on"]),
    }


def _check_effective(params: Params) -> str:
    return _("Effective: %(action)s — %(comment)s") % params


def _check_not_effective(params: Params) -> str:
    return _("Not effective: %(action)s — %(comment)s") % params


# --- Suppliers: a supplier merged into another (suppliers.py) ---

SUPPLIER_MERGED = "supplier_merged"


def _supplier_merged(params: Params) -> str:
    return _("Supplier %(source)s merged into %(target)s: the record now concerns %(target)s.") % params


# --- Deadlines: a step of the escalation ladder fired (deadlines.py, sweep.py) ---

# A record's dated deadlines, named in a DEADLINE entry's params and the sweep's notices.
ANALYSIS, PLAN, ACTION, CHECK = "analysis", "plan", "action", "check"


def deadline_label(what: str, action: str = "") -> str:
    """What a deadline is, in the reader's language."""
    if what == ACTION:
        return _("Action: %(action)s") % {"action": action[:80]}
    if what == CHECK:
        return _("Effectiveness check: %(action)s") % {"action": action[:80]}
    return _("Root cause analysis") if what == ANALYSIS else _("Actions planned")


def _deadline_step(params: Params) -> str:
    text = _("%(step)s: %(deadline)s, due %(due)s. Notified: %(people)s.") % {
        "step": Level(params["step"]).label, "deadline": deadline_label(params["deadline"], params["action"]),
        "due": iso_date(params["due"]), "people": ", ".join(params["people"]) or _("nobody"),
    }
    if params["passed"]:
        text += " " + _("Passed before the first check, not announced apart: %(steps)s.") % {
            "steps": ", ".join(str(Level(step).label) for step in params["passed"]),
        }
    return text


# --- Registration ---

RECORD_TEXTS: dict[str, dict[str, Renderer]] = {
    RecordEventKind.OPENED: {OPENED: _opened, PROPOSAL_ACCEPTED: _proposal_accepted},
    RecordEventKind.OWNER: {OWNER_APPOINTED: _owner},
    RecordEventKind.COMPLAINTS: {LINKED: _linked, UNLINKED: _unlinked},
    RecordEventKind.TRANSITION: {STEP: _step},
    RecordEventKind.CHANGED: {CHANGED: _changed},
    RecordEventKind.ROOT_CAUSE: {
        WHYS_SAVED: _whys_saved, CAUSE_ADDED: _cause_added, CAUSE_REMOVED: _cause_removed,
        CAUSE_CONFIRMED: _cause_confirmed, ROOT_CAUSE_STATED: _root_cause_stated,
    },
    RecordEventKind.ACTION: {
        ACTION_PLANNED: _action_planned, ACTION_REPORTED: _action_reported, ACTION_DONE: _action_done,
        ACTION_CANCELLED: _action_cancelled, ACTION_RESCHEDULED: _action_rescheduled,
    },
    RecordEventKind.CHECK: {CHECK_EFFECTIVE: _check_effective, CHECK_NOT_EFFECTIVE: _check_not_effective},
    RecordEventKind.NOTE: {SUPPLIER_MERGED: _supplier_merged},
    RecordEventKind.DEADLINE: dict.fromkeys(STEP_CODES.values(), _deadline_step),
}
CARD_TEXTS: dict[str, Renderer] = {LINKED: _card_linked, UNLINKED: _card_unlinked, CARD_PROMOTED: _card_promoted}


def register() -> None:
    """Every renderer of the app: the record's kinds, and the card's NONCONFORMITY entries."""
    for kind, renderers in RECORD_TEXTS.items():
        for code, render in renderers.items():
            event_text_register(record_kind(kind), code, render)
    for code, render in CARD_TEXTS.items():
        event_text_register(EventKind.NONCONFORMITY, code, render)
