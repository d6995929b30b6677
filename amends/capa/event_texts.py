"""The wording of a nonconformity's timeline entries and of the card's entries about them, in the
reader's language (registered in complaints' wording registry; kinds of the record are prefixed,
models.nonconformities.record_kind)."""

from django.utils.translation import gettext as _

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, event_text_register, iso_date
from amends.deadlines.choices import Level
from amends.deadlines.event_texts import STEP_CODES

from .choices import ActionKind, NonconformityState, RecordEventKind, Source
from .lifecycle import CLOSE, REOPEN
from .models.nonconformities import record_kind

OPENED, OWNER_APPOINTED, LINKED, UNLINKED, STEP = "opened", "owner", "linked", "unlinked", "step"
ACTION_PLANNED = "planned"
# On the card: linked to a nonconformity, or unlinked from it.
CARD_LINKED, CARD_UNLINKED = "linked", "unlinked"


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
    for code in STEP_CODES.values():
        event_text_register(record_kind(RecordEventKind.DEADLINE), code, _deadline_step)
