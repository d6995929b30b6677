"""Thin views: the card's letter drafted from a template, then edited (each calls the services)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints.access import LETTER, access_writer
from amends.complaints.card_page import card_for_request, card_form_post

from ..forms.letters import LetterDraftForm, LetterForm
from ..letters import letter_draft, letter_update
from ..models import Letter


@login_required
@require_POST
def draft(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, LETTER)  # refused before the form is read
    return card_form_post(
        request, complaint, LetterDraftForm(request.POST, complaint=complaint), "draft",
        lambda outcome, language, template: letter_draft(
            complaint=complaint, actor=request.user, template=template,
            outcome=None if template else outcome, language=None if template else language,
        ),
        _("The letter is drafted: check it and complete what is missing."),
    )


@login_required
@require_POST
def edit(request, number: str, pk: int):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, LETTER)
    letter = get_object_or_404(Letter, pk=pk, complaint=complaint)

    def write(redraft: bool, **fields) -> None:
        letter_update(letter=letter, actor=request.user, **fields)
        if redraft:
            letter_draft(complaint=complaint, actor=request.user, outcome=letter.outcome, language=letter.language,
                         template=letter.template)

    return card_form_post(
        request, complaint, LetterForm(request.POST, instance=letter), "letter", write, _("The letter is saved."),
    )
