"""The card's "Nonconformities" panel (main column, order 60): the card's nonconformities, the forms
to link it to one or open one from it, and each measure's promotion to a corrective action; and the
list's action on the ticked cards (open a nonconformity from them, or link them to one). Registered
from CapaConfig.ready()."""

from django.utils.translation import gettext as _

from amends.complaints.access import NONCONFORMITY, can_write
from amends.complaints.card_page import register_fragment, register_panel
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
    measures = list(complaint.measures.select_related("executor", "capa_action__nonconformity"))
    # The records a measure may join, read once for every measure's form (and with none, so that the
    # card costs the same whatever its measures).
    choices = record_choices(plannable_records(), _("Open a new nonconformity")) if writer else []
    visible = set(visible_nonconformities(user, records).values_list("pk", flat=True)) if records else set()
    return {
        "nc_records": [(record, record.pk in visible) for record in records],
        "nc_writer": writer,
        "nc_measures": [_promotion(measure, writer, bound, choices) for measure in measures],
    }

def link_fragment(request, complaint, bound) -> dict:
    writer = can_write(request.user, complaint, NONCONFORMITY)
    return {"nc_link_form": (bound.get("nc-link") or LinkForm(complaint=complaint)) if writer else None}


def open_fragment(request, complaint, bound) -> dict:
    writer = can_write(request.user, complaint, NONCONFORMITY)
    return {"nc_open_form": (bound.get("nc-open") or OpenForm(complaint=complaint)) if writer else None}


def _promotion(measure, writer: bool, bound, choices: list) -> tuple:
    """A measure, the action it became, and its form: blank while not promoted; a refused one's
    form stays, with its message."""
    action = getattr(measure, "capa_action", None)
    form = bound.get(f"promote-{measure.pk}")
    if form is None and writer and action is None:
        form = PromoteForm(measure=measure, choices=choices)
    return measure, action, form


def register() -> None:
    register_panel(
        "nonconformities", "capa/card_panel.html", column="main", order=ORDER, context=nonconformities_panel,
    )
    # Collapsed, and the card's dearest forms after the edit form (the open form's lists of people,
    # suppliers and products): rendered when opened.
    register_fragment("nc-link", "capa/card/link.html", link_fragment)
    register_fragment("nc-open", "capa/card/open.html", open_fragment)
    register_list_action(
        "nonconformity", "capa/list_action.html", offered=may_link_cards, order=10,
        context=lambda request: {"nc_list_form": FromListForm()},
    )
