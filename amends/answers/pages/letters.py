"""The card's "Letter to the customer" panel: draft from a template, edit, see what is missing."""

from amends.complaints.access import LETTER, can_write
from amends.complaints.card_page import register_fragment, register_panel

from ..elements import missing_elements
from ..forms.letters import LetterDraftForm, LetterForm
from ..letters import card_letters_prefetch, current_letter, default_outcome, outcomes_open


def letter_panel(request, complaint, bound) -> dict:
    """For those who may write letters, on cards that may have one now (decided or later; holding
    and information-request letters from assignment on)."""
    if not can_write(request.user, complaint, LETTER) or not outcomes_open(complaint):
        return {"can_write_letter": False}
    card_letters_prefetch(complaint)
    letter = current_letter(complaint)
    editable = letter is not None and letter.sent_at is None
    return {
        "can_write_letter": True,
        "letter": letter,
        # Open at first sight while the card has no letter; then a fragment, to draft again.
        "draft_form": None if letter is not None else _draft_form(complaint),
        "letter_form": (bound.get("letter") or LetterForm(instance=letter)) if editable else None,
        "missing": missing_elements(letter) if letter is not None else [],
    }


def _draft_form(complaint) -> LetterDraftForm:
    return LetterDraftForm(complaint=complaint, initial_outcome=default_outcome(complaint))


def draft_fragment(request, complaint, bound, key) -> dict:
    may_draft = can_write(request.user, complaint, LETTER) and outcomes_open(complaint)
    return {"draft_form": bound.get("draft") or (_draft_form(complaint) if may_draft else None)}


def register() -> None:
    register_panel("letter", "answers/letter_panel.html", column="main", order=35, context=letter_panel)
    register_fragment("draft", "answers/letter_draft.html", draft_fragment)
