"""The wording of a nonconformity's timeline entries and of the card's entries about them, in the
reader's language (registered in complaints' wording registry; kinds of the record are prefixed,
models.nonconformities.record_kind)."""

from django.db.models import Field
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, event_text_register, iso_date
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

OPENED, OWNER_APPOINTED, LINKED, UNLINKED, STEP = "opened", "owner", "linked", "unlinked", "step"
ACTION_PLANNED = "planned"
# On the card: linked to a nonconformity, or unlinked from it.
CARD_LINKED, CARD_UNLINKED = "linked", "unlinked"
# On the card: its measure promoted to a corrective action (promotion.py).
CARD_PROMOTED = "promoted"
PROPOSAL_ACCEPTED = "proposal"


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
    return f"{text} {params['reason']}".strip() if params.get("reason") else text


def _action_planned(params: Params) -> str:
    return _("%(kind)s planned: %(action)s — %(owner)s, due %(due)s, effectiveness checked on %(check_on)s") % {
        "kind": ActionKind(params["kind"]).label, "action": params["action"], "owner": params["owner"],
        "due": iso_date(params["due"]), "check_on": iso_date(params["check_on"]),
    }


def _card_linked(params: Params) -> str:
    return _("Linked to the nonconformity %(number)s: %(title)s") % params


def _card_unlinked(params: Params) -> str:
    return _("Unlinked from the nonconformity %(number)s: %(title)s") % params


def _card_promoted(params: Params) -> str:
    return _(
        "Measure “%(measure)s” promoted to a corrective action of the nonconformity %(number)s: %(title)s"
    ) % params
# Root cause (root_cause.py): the 5 Whys saved, a fishbone cause added, removed, confirmed or not, the conclusion.
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
CHANGED = "changed"
# Long texts (a description) are kept whole in the params and cut on the timeline.
CHANGE_SHOWN_CHARS = 120


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


def _proposal_accepted(params: Params) -> str:
    return _("Opened from the proposal of %(date)s: %(kind)s.") % {
        "date": iso_date(params["proposed_at"]), "kind": ProposalKind(params["kind"]).label,
    }
SUPPLIER_MERGED = "supplier_merged"


def _supplier_merged(params: Params) -> str:
    return _("Supplier %(source)s merged into %(target)s: the record now concerns %(target)s.") % params
# A record's dated deadlines (deadlines.py), named in a DEADLINE entry's params and the sweep's notices.
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


def register() -> None:
    event_text_register(record_kind(RecordEventKind.OPENED), OPENED, _opened)
    event_text_register(record_kind(RecordEventKind.OWNER), OWNER_APPOINTED, _owner)
    event_text_register(record_kind(RecordEventKind.COMPLAINTS), LINKED, _linked)
    event_text_register(record_kind(RecordEventKind.COMPLAINTS), UNLINKED, _unlinked)
    event_text_register(record_kind(RecordEventKind.TRANSITION), STEP, _step)
    event_text_register(record_kind(RecordEventKind.ACTION), ACTION_PLANNED, _action_planned)
    event_text_register(EventKind.NONCONFORMITY, CARD_LINKED, _card_linked)
    event_text_register(EventKind.NONCONFORMITY, CARD_UNLINKED, _card_unlinked)
    event_text_register(EventKind.NONCONFORMITY, CARD_PROMOTED, _card_promoted)
    register_actions()


ACTION_REPORTED, ACTION_DONE, ACTION_CANCELLED, ACTION_RESCHEDULED = "reported", "done", "cancelled", "rescheduled"
CHECK_EFFECTIVE, CHECK_NOT_EFFECTIVE = "effective", "not_effective"


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


def register_actions() -> None:
    action = record_kind(RecordEventKind.ACTION)
    event_text_register(action, ACTION_REPORTED, _action_reported)
    event_text_register(action, ACTION_DONE, _action_done)
    event_text_register(action, ACTION_CANCELLED, _action_cancelled)
    event_text_register(action, ACTION_RESCHEDULED, _action_rescheduled)
    event_text_register(record_kind(RecordEventKind.CHECK), CHECK_EFFECTIVE, _check_effective)
    event_text_register(record_kind(RecordEventKind.CHECK), CHECK_NOT_EFFECTIVE, _check_not_effective)
    event_text_register(record_kind(RecordEventKind.ROOT_CAUSE), WHYS_SAVED, _whys_saved)
    event_text_register(record_kind(RecordEventKind.ROOT_CAUSE), CAUSE_ADDED, _cause_added)
    event_text_register(record_kind(RecordEventKind.ROOT_CAUSE), CAUSE_REMOVED, _cause_removed)
    event_text_register(record_kind(RecordEventKind.ROOT_CAUSE), CAUSE_CONFIRMED, _cause_confirmed)
    event_text_register(record_kind(RecordEventKind.ROOT_CAUSE), ROOT_CAUSE_STATED, _root_cause_stated)
    event_text_register(record_kind(RecordEventKind.CHANGED), CHANGED, _changed)
    event_text_register(record_kind(RecordEventKind.OPENED), PROPOSAL_ACCEPTED, _proposal_accepted)
    event_text_register(record_kind(RecordEventKind.NOTE), SUPPLIER_MERGED, _supplier_merged)
    for code in STEP_CODES.values():
        event_text_register(record_kind(RecordEventKind.DEADLINE), code, _deadline_step)
