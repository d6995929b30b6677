"""The timeline's wording of what triage did, in each reader's language."""

from django.utils.translation import gettext as _

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import Params, event_text_register

from .models import TriageField
from .services import APPLIED


def _applied(params: Params) -> str:
    return "; ".join(
        _("%(field)s suggested by triage, confidence %(confidence)s%%")
        % {"field": TriageField(field).label, "confidence": confidence}
        for field, confidence in params["fields"]
    )


def register() -> None:
    event_text_register(EventKind.NOTE, APPLIED, _applied)
