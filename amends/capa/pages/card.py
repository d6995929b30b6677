"""The card's "Nonconformities" panel (main column, order 60): the card's nonconformities, the forms
to link it to one or open one from it, and each measure's promotion to a corrective action; and the
list's action on the ticked cards (open a nonconformity from them, or link them to one). Registered
from CapaConfig.ready()."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from amends.complaints.access import NONCONFORMITY, can_write
from amends.complaints.card_page import card_measures, register_fragment, register_measure_relation, register_panel
from amends.complaints.list_page import register_list_action

from ..access import visible_nonconformities
from ..forms.card import FromListForm, LinkForm, OpenForm, PromoteForm, record_choices
from ..promotion import may_link_cards, plannable_records

# After the card's measures (40) and attachments (50).
ORDER = 60

def nonconformities_panel(request, complaint, bound) -> dict:
    user = request.user
    records = list(complaint.nonconformities.order_by("opened_at", "pk"))
    writer = can_write(user, complaint, NONCONFORMITY)
    measures = card_measures(complaint)
    visible = set(visible_nonconformities(user, records).values_list("pk", flat=True)) if records else set()
    return {
        "nc_records": [(record, record.pk in visible) for record in records],
        "nc_writer": writer,
        "nc_measures": [_promotion(measure, bound) for measure in measures],
    }


def _promotion(measure, bound) -> tuple:
    """A measure, the action it became, the form posted for it (a promoted one's refused form stays
    beside it, with its message) and the name of its promotion fragment."""
    name = f"promote-{measure.pk}"
    return measure, getattr(measure, "capa_action", None), bound.get(name), name


def link_fragment(request, complaint, bound, key) -> dict:
    writer = can_write(request.user, complaint, NONCONFORMITY)
    return {"nc_link_form": (bound.get("nc-link") or LinkForm(complaint=complaint)) if writer else None}


def open_fragment(request, complaint, bound, key) -> dict:
    writer = can_write(request.user, complaint, NONCONFORMITY)
    return {"nc_open_form": (bound.get("nc-open") or OpenForm(complaint=complaint)) if writer else None}


def promote_fragment(request, complaint, bound, key) -> dict:
    """The promotion form of the card's measure `key`, while it is not promoted."""
    measure = get_object_or_404(complaint.measures.select_related("capa_action"), pk=key)
    form = bound.get(f"promote-{key}")
    promoted = getattr(measure, "capa_action", None) is not None
    if form is None and not promoted and can_write(request.user, complaint, NONCONFORMITY):
        form = PromoteForm(measure=measure, choices=record_choices(plannable_records(), _("Open a new nonconformity")))
    return {"measure": measure, "promote_form": form}


def register() -> None:
    register_measure_relation("capa_action__nonconformity")
    register_panel(
        "nonconformities", "capa/card_panel.html", column="main", order=ORDER, context=nonconformities_panel,
    )
    # Collapsed, and the card's dearest forms after the edit form (the open form's lists of people,
    # suppliers and products): rendered when opened.
    register_fragment("nc-link", "capa/card/link.html", link_fragment)
    register_fragment("nc-open", "capa/card/open.html", open_fragment)
    # One per measure, each with every open record to join (many, in a company of some size).
    register_fragment("promote", "capa/card/promote.html", promote_fragment, keyed=True)
    register_list_action(
        "nonconformity", "capa/list_action.html", offered=may_link_cards, order=10,
        context=lambda request: {"nc_list_form": FromListForm()},
    )
