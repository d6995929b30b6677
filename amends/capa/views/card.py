"""Thin views of the card's nonconformity forms and of the list's selected cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amends.complaints.access import NONCONFORMITY, WRITE_REFUSALS, access_writer
from amends.complaints.card_page import card_for_request, card_form_post
from amends.complaints.forms import form_error_text, list_query
from amends.core.errors import AccessDenied

from ..access import can_see_nonconformity
from ..forms.card import LINK, FromListForm, LinkForm, OpenForm, PromoteForm
from ..nonconformities import nonconformity_link
from ..promotion import may_link_cards, measure_promote, nonconformity_open_from_cards, selected_cards


@login_required
@require_POST
def card_link(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, NONCONFORMITY)  # refused before the form is read
    form = LinkForm(request.POST, complaint=complaint)
    return card_form_post(
        request, complaint, form, "nc-link",
        lambda nonconformity: nonconformity_link(actor=request.user, nonconformity=nonconformity,
                                                 complaints=[complaint]),
        _("The complaint is linked to the nonconformity."),
    )


@login_required
@require_POST
def card_open(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, NONCONFORMITY)
    form = OpenForm(request.POST, complaint=complaint)

    def write(**data):
        record = nonconformity_open_from_cards(actor=request.user, cards=[complaint], **data)
        messages.success(request, _("Nonconformity %(number)s opened.") % {"number": record.number})

    return card_form_post(request, complaint, form, "nc-open", write)


@login_required
@require_POST
def promote(request, number: str, pk: int):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, NONCONFORMITY)
    measure = get_object_or_404(complaint.measures.all(), pk=pk)
    form = PromoteForm(request.POST, measure=measure)

    def write(**data):
        action = measure_promote(actor=request.user, measure=measure, **data)
        messages.success(request, _("The measure is now a corrective action of the nonconformity %(number)s.")
                         % {"number": action.nonconformity.number})

    return card_form_post(request, complaint, form, f"promote-{measure.pk}", write)


def _list_url(query: str) -> str:
    return f"{reverse('complaints:list')}?{query}" if query else reverse("complaints:list")


@login_required
@require_POST
def from_list(request):
    """The cards ticked in the list: a nonconformity opened from them, or them linked to an open one;
    any card that may not be linked refuses them all, with the reason."""
    if not may_link_cards(request.user):  # refused before the form is read
        raise AccessDenied(WRITE_REFUSALS[NONCONFORMITY])
    form = FromListForm(request.POST)
    back = _list_url(list_query(request.POST.get("bulk-query", "")))
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        cards = selected_cards(request.user, data["cards"])
        if data["do"] == LINK:
            record = data["nc_record"]
            linked = nonconformity_link(actor=request.user, nonconformity=record, complaints=cards)
            text = ngettext(
                "%(count)d complaint linked to the nonconformity %(number)s.",
                "%(count)d complaints linked to the nonconformity %(number)s.", len(linked),
            ) % {"count": len(linked), "number": record.number}
        else:
            record = nonconformity_open_from_cards(actor=request.user, cards=cards, title=data["nc_title"])
            text = ngettext(
                "Nonconformity %(number)s opened from %(count)d complaint.",
                "Nonconformity %(number)s opened from %(count)d complaints.", len(cards),
            ) % {"count": len(cards), "number": record.number}
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    except AccessDenied as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, text)
    if can_see_nonconformity(request.user, record):
        return redirect("capa:record", number=record.number)
    return redirect(back)
