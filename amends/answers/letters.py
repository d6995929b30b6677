"""Letters to the customer: drafted from a template of the outcome in the customer's language, then
edited by the responsible person or the QMS head until the letter is sent."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import translation
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.access import LETTER, access_write
from amends.complaints.choices import State
from amends.complaints.models import Attachment, Complaint
from amends.core.errors import TransitionNotAllowed
from amends.intake.channels.web_form.services import SOURCE as WEB_FORM_SOURCE
from amends.intake.services import parser_for

from .choices import FINAL_OUTCOMES, OUTCOME_BY_JUSTIFICATION, Outcome
from .context import letter_context
from .letter_names import letter_names
from .models import LegalReference, Letter, LetterTemplate
from .sandbox import template_render, template_validate

# A decided card gets its answer; from assignment on, a holding reply or a request for information.
DECIDED_STATES = frozenset({
    State.DECIDED, State.MEASURES_PLANNED, State.IN_PROGRESS, State.RESOLVED, State.ANSWERED,
})
ASSIGNED_STATES = DECIDED_STATES | {State.ASSIGNED, State.INVESTIGATING}
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def outcomes_open(complaint: Complaint) -> list[str]:
    """The outcomes a letter on this card may have now."""
    if complaint.state in DECIDED_STATES:
        return list(Outcome)
    if complaint.state in ASSIGNED_STATES:
        return [outcome for outcome in Outcome if outcome not in FINAL_OUTCOMES]
    return []


def _channel_language(complaint: Complaint) -> str:
    """The language the channel told with the customer's first message, as intake's acknowledgement
    reads it; "" when it told none. Only the web form tells one (its page's language): other channels'
    messages (a mail with its files) are not read again for nothing."""
    message = complaint.inbound_messages.filter(source=WEB_FORM_SOURCE).order_by("received_at", "pk").first()
    if message is None:
        return ""
    try:
        return parser_for(message)(message).language
    except (LookupError, ValueError):  # no parser for it any more, or content it cannot read again
        return ""


def card_letters_prefetch(complaint: Complaint) -> None:
    """The card's letters read once for the card page's panels that each look at them (the letter,
    sending it, the customer's language)."""
    prefetch_related_objects([complaint], "letters")


def latest_letter(complaint: Complaint) -> Letter | None:
    letters = list(complaint.letters.all())  # oldest first
    return letters[-1] if letters else None


def card_language(complaint: Complaint) -> str:
    """The customer's language: of the letters they were sent, else the one their channel told,
    else the company's."""
    letter = latest_letter(complaint)
    for language in (letter and letter.language, _channel_language(complaint)):
        if language in LANGUAGE_CODES:
            return language
    return settings.LANGUAGE_CODE


def default_outcome(complaint: Complaint) -> str | None:
    return OUTCOME_BY_JUSTIFICATION.get(complaint.justification)  # type: ignore[call-overload]


def current_letter(complaint: Complaint) -> Letter | None:
    """The letter being written (the latest not sent), else the latest sent one."""
    letters = list(complaint.letters.all())  # oldest first
    unsent = [letter for letter in letters if letter.sent_at is None]
    return (unsent or letters)[-1] if letters else None


def letter_render(letter: Letter, template: LetterTemplate) -> tuple[str, str]:
    """The template's subject and body filled from the card and the letter, in the letter's language."""
    with translation.override(letter.language):
        names = letter_context(letter.complaint)
        if letter.pk is not None:
            names |= letter_names(letter)
        return template_render(template.subject, names).strip(), template_render(template.body, names).strip()


def _template_for(outcome: str, language: str) -> LetterTemplate:
    template = LetterTemplate.objects.filter(outcome=outcome, language=language, is_active=True).first()
    if template is None:
        raise ValidationError({"template": _("There is no active template for this outcome in this language.")})
    return template


@transaction.atomic
def letter_draft(
    *, complaint: Complaint, actor: User, outcome: str | None = None, language: str | None = None,
    template: LetterTemplate | None = None,
) -> Letter:
    """The card's letter drafted from a template: the one given, else the active one of the outcome
    (given, else the card's justification's) in the language (given, else the customer's). A letter
    being written is drafted again in place, keeping its references, enclosures and signer."""
    access_write(actor, complaint, LETTER)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    outcome = outcome or (template.outcome if template else default_outcome(complaint))
    if not outcome:
        raise ValidationError({"outcome": _(
            "The complaint is not decided yet: choose a holding reply or a request for information."
        )})
    if outcome not in outcomes_open(complaint):
        raise TransitionNotAllowed(_("This letter cannot be written in the complaint's present state."))
    language = language or (template.language if template else card_language(complaint))
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Unknown language.")})
    if template is None:
        template = _template_for(outcome, language)
    elif (template.outcome, template.language) != (outcome, language):
        raise ValidationError({"template": _("The template is for another outcome or language.")})
    letter = complaint.letters.filter(sent_at__isnull=True).order_by("-created_at", "-pk").first()
    if letter is None:
        letter = Letter(complaint=complaint, created_by=actor, signed_by=complaint.responsible or actor)
    letter.outcome, letter.language, letter.template = outcome, language, template
    letter.subject, letter.body = letter_render(letter, template)
    letter.save()
    return letter


@transaction.atomic
def letter_update(
    *, letter: Letter, actor: User, subject: str, body: str, references: Iterable[LegalReference],
    enclosures: Iterable[Attachment], signed_by: User | None,
) -> Letter:
    """The letter as the writer edited it; a sent letter stays as it was sent."""
    access_write(actor, letter.complaint, LETTER)
    letter = Letter.objects.select_for_update().select_related("complaint").get(pk=letter.pk)
    if letter.sent_at is not None:
        raise TransitionNotAllowed(_("This letter has been sent; it cannot be changed."))
    references, enclosures = list(references), list(enclosures)
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Write the subject.")
    if not body.strip():
        errors["body"] = _("Write the letter.")
    if any(attachment.complaint_id != letter.complaint_id for attachment in enclosures):
        errors["enclosures"] = _("Only files of this complaint can be enclosed.")
    if any(not reference.is_active for reference in references):
        errors["references"] = _("This reference is no longer in use.")
    if signed_by is not None and not signed_by.is_active:
        errors["signed_by"] = _("The letter is signed by someone who works here now.")
    if errors:
        raise ValidationError(errors)
    letter.subject, letter.body, letter.signed_by = subject.strip(), body.strip(), signed_by
    letter.save(update_fields=["subject", "body", "signed_by", "updated_at"])
    letter.references.set(references)
    letter.enclosures.set(enclosures)
    return letter


def letter_template_save(template: LetterTemplate) -> LetterTemplate:
    """A template kept only when the sandbox reads it: broken syntax or an unknown placeholder is
    refused, naming it (the admin's form checks the same)."""
    template_validate(subject=template.subject, body=template.body)
    template.save()
    return template
