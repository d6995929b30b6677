"""The record page's root cause section (order 30): the 5 Whys as a chain, the fishbone as a
diagram with its causes listed by bone, and, for the record's owner and the head of the QMS, the
forms that change them and state the root cause."""

from django.utils.safestring import mark_safe

from ..access import can_manage
from ..choices import Category6M, NonconformityState
from ..fishbone import fishbone_svg
from ..forms.root_cause import AnalysisForm, FishboneCauseForm, WhysForm
from ..record_page import register_section


def root_cause_section(request, record, bound) -> dict:
    whys = list(record.whys.all())
    causes = list(record.fishbone.all())
    editable = can_manage(request.user, record) and record.state != NonconformityState.CLOSED
    return {
        "whys": whys,
        "bones": [
            (label, [cause for cause in causes if cause.category == category]) for category, label in Category6M.choices
        ],
        "fishbone": mark_safe(fishbone_svg(record, causes)),  # built from escaped text (fishbone.py)
        "has_causes": bool(causes),
        "can_analyse": editable,
        "whys_form": (bound.get("whys") or WhysForm(chain=[(s.why, s.because) for s in whys])) if editable else None,
        "fishbone_form": (bound.get("fishbone") or FishboneCauseForm()) if editable else None,
        "analysis_form": (bound.get("analysis") or AnalysisForm(initial={"root_cause": record.root_cause}))
        if editable and record.state == NonconformityState.OPEN else None,
        "open_form": next(iter(bound), ""),
    }


def register() -> None:
    register_section("root_cause", "capa/root_cause.html", order=30, context=root_cause_section)
