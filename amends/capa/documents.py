"""A nonconformity as a document: its print page and its PDF (WeasyPrint, through the answers app's
`html_pdf`: DejaVu Sans for Latin, Cyrillic and Armenian, only fonts, static files and inline images
fetched). Both show the same layout, capa/print.html: the header (number, state, owner, dates), what
it concerns, the linked cards, the 5 Whys, the fishbone, the actions with their effectiveness checks
and the evidence each check kept, and the timeline."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Field, Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from amends.answers.documents import html_pdf, letterhead_contacts, logo_uri
from amends.answers.letter_names import letterhead as current_letterhead

from .fishbone import fishbone_svg
from .models import EffectivenessCheck, Nonconformity

CONCERNS = ("product", "component", "supplier", "department", "process", "cause")


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    before: list[str]
    after: list[str]


@dataclass(frozen=True)
class CheckShown:
    check: EffectivenessCheck
    before_from: datetime | None = None
    done_at: datetime | None = None
    until: datetime | None = None
    rows: list[EvidenceRow] = field(default_factory=list)


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def concern_label(name: str) -> str:
    field = Nonconformity._meta.get_field(name)
    assert isinstance(field, Field)
    return str(capfirst(field.verbose_name))


def _dimension(row: dict[str, Any]) -> str:
    """“Supplier: AKB-Snab”: the concern's name in the reader's language, and what it was."""
    name = row.get("dimension")
    label = str(row.get("label", ""))
    if name in CONCERNS:
        return f"{concern_label(name)}: {label}"
    return label


def check_shown(check: EffectivenessCheck) -> CheckShown:
    """The check with the evidence it kept (windows, and the cards before and after per concern)."""
    evidence = check.evidence if isinstance(check.evidence, dict) else {}
    return CheckShown(
        check, _moment(evidence.get("before_from")), _moment(evidence.get("done_at")), _moment(evidence.get("until")),
        [
            EvidenceRow(_dimension(row), list(row.get("before", [])), list(row.get("after", [])))
            for row in evidence.get("dimensions", []) if isinstance(row, dict)
        ],
    )


def record_print_context(record: Nonconformity) -> dict[str, Any]:
    """What the record's print page and PDF show; a fixed number of queries whatever it holds."""
    causes = list(record.fishbone.all())
    actions = list(
        record.actions.select_related("owner").prefetch_related(
            Prefetch("checks", queryset=EffectivenessCheck.objects.select_related("checked_by")),
        )
    )
    return {
        "record": record,
        "concerns": [
            (concern_label(name), getattr(record, name))
            for name in CONCERNS if getattr(record, name)
        ],
        "links": record.links.select_related("complaint__product", "complaint__cause").order_by(
            "complaint__received_at", "complaint__number",
        ),
        "whys": list(record.whys.all()),
        "fishbone": mark_safe(fishbone_svg(record, causes)),  # built from escaped text (fishbone.py)
        "actions": [(action, [check_shown(check) for check in action.checks.all()]) for action in actions],
        "events": record.events.select_related("actor"),
    }


def nonconformity_pdf(record: Nonconformity) -> bytes:
    """The record's print layout on the letterhead, in the active language."""
    letterhead = current_letterhead()
    context = {
        **record_print_context(record),
        "letterhead": letterhead, "logo": logo_uri(letterhead), "contacts": letterhead_contacts(letterhead),
    }
    return html_pdf(render_to_string("capa/pdf/record.html", context))

