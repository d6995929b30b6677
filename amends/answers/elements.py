"""What a written answer must hold (DOMAIN.md §6), checked on the letter before it is sent: each
element is on record (the letterhead, the customer, the compensation granted, the references chosen)
and in the letter's text. Each missing one is a blocking Problem with a link to where it is filled."""

from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .checks import Problem, register_send_check
from .choices import Outcome
from .letter_names import approved_grants, essence_text, grant_names, letterhead, recipient_address
from .models import Letter

ESSENCE_WORDS = 8  # the letter restates the customer's wording: at least its first words


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def letter_field_url(letter: Letter, field: str) -> str:
    """The field of the card's letter form (prefix "letter")."""
    return reverse("complaints:detail", args=[letter.complaint.number]) + f"#id_letter-{field}"


def missing_elements(letter: Letter) -> list[Problem]:
    complaint = letter.complaint
    text = _plain(f"{letter.subject}\n{letter.body}")
    card_url = reverse("complaints:detail", args=[complaint.number])
    body_url = letter_field_url(letter, "body")
    problems: list[Problem] = []

    def in_text(code: str, value: str, absent: str, absent_url: str, not_written: str, url: str = body_url) -> None:
        """`value` on record (else `absent`, filled at `absent_url`) and in the letter (else `not_written`)."""
        if not value.strip():
            problems.append(Problem(f"missing:{code}", absent, absent_url))
        elif _plain(value) not in text:
            problems.append(Problem(f"missing:{code}", not_written, url))

    company = letterhead()
    company_url = reverse("admin:answers_letterhead_changelist")
    in_text("company", company.name if company else "", _("The company's name is not on the letterhead."),
            company_url, _("The letter does not name the company."))
    in_text("registration", company.registration if company else "",
            _("The company's registration data are not on the letterhead."), company_url,
            _("The letter does not give the company's registration data."))
    in_text("sender_address", company.address if company else "",
            _("The company's postal address is not on the letterhead."), company_url,
            _("The letter does not give the company's address."))
    in_text("recipient_address", recipient_address(complaint), _("The customer's postal address is not known."),
            card_url + "#customer", _("The letter does not give the customer's address."))
    in_text("essence", Truncator(essence_text(complaint)).words(ESSENCE_WORDS, truncate=""),
            _("The customer's wording is not on the card."), card_url + "#wording",
            _("The letter does not restate the essence of the complaint."))

    if letter.outcome in (Outcome.SATISFIED, Outcome.PARTLY):
        grants = list(approved_grants(complaint))
        if not grants:
            problems.append(Problem("missing:compensation", _(
                "No compensation is granted and approved on the card: a satisfied claim states its exact "
                "amount, method and period."
            ), card_url + "#panel-compensation"))
        with translation.override(letter.language):
            worded = [grant_names(grant) for grant in grants]
        for names in worded:
            lacking = [names[key] for key in ("value", "method", "due") if _plain(names[key]) not in text]
            if lacking:
                problems.append(Problem("missing:compensation", _(
                    "The letter does not state the compensation “%(option)s” exactly: %(lacking)s."
                ) % {"option": names["option"], "lacking": ", ".join(lacking)}, body_url))

    if letter.outcome == Outcome.REFUSED:
        in_text("reasons", complaint.opinion, _("The reasons for the refusal (the opinion) are not on the card."),
                card_url + "#fields", _("The letter does not give the reasons for the refusal."))
        references = list(letter.references.all())
        if not references:
            problems.append(Problem("missing:references", _(
                "A refusal cites at least one legal or contractual reference: choose it on the letter."
            ), letter_field_url(letter, "references")))
        for reference in references:
            if _plain(reference.title) not in text:
                problems.append(Problem("missing:references", _(
                    "The letter does not cite “%(title)s”."
                ) % {"title": reference.title}, body_url))

    for attachment in letter.enclosures.all():
        if _plain(attachment.original_name) not in text:
            problems.append(Problem("missing:enclosures", _(
                "The letter does not list the enclosure “%(name)s”."
            ) % {"name": attachment.original_name}, body_url))
    return problems


def register() -> None:
    register_send_check("elements", missing_elements)
