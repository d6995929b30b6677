"""The complaint register as a file: every card field as the card shows it, in the reader's language,
a row per card, written as the rows arrive so that a million cards never sit in memory.

CSV: UTF-8 with a byte order mark (Excel then reads Cyrillic and Armenian right), separated by ";" in a
language whose decimal separator is a comma (ru, hy: Excel there splits on ";") and by "," otherwise;
dates and times in the language's format. A text starting with =, +, -, @ (a phone number apart) gets
a leading apostrophe, so that a spreadsheet never runs a customer's words as a formula.
XLSX: one sheet per 1,048,575 cards (openpyxl's write-only mode, rows written to a temporary file), a bold frozen
header row with a filter, real dates and numbers; the card number links to the card through Excel's
HYPERLINK formula, since openpyxl keeps every real hyperlink in memory until the file is saved."""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from amends.complaints.models import Complaint, Measure
from amends.core.dates import date_text, datetime_text, excel_number_format
from amends.core.links import absolute_url
from amends.customers.models import Contact
from amends.reports.xlsx import excel_time

FORMATS = ("csv", "xlsx")
CHUNK = 2000  # cards fetched at a time, with their measures
PROGRESS_EVERY = 1000  # rows between two progress reports
FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![\d\s().-]*$)")
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
Progress = Callable[[int], None]
SAMPLE_NUMBER = "2000-000000"
SHEET_ROWS = 1_048_575  # an Excel sheet's rows, less the header: more cards go on to another sheet


Read = Callable[[Complaint], Any]  # str, int, date, aware datetime, bool or None


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]
    # Called once per export, in its language: what reads each card's value. Labels and names that
    # many cards share are worded once there, not once per card.
    reader: Callable[[], Read]
    width: int = 20


def _field(name: str, width: int = 20, value: Read | None = None) -> Column:
    """A card field under its own label; a choice as its label, a relation as its name."""
    field = Complaint._meta.get_field(name)

    def header() -> str:
        return capfirst(str(field.verbose_name))  # type: ignore[union-attr]

    def reader() -> Read:
        if value is not None:
            return value
        if getattr(field, "choices", None):
            labels = {key: str(label) for key, label in field.flatchoices}  # type: ignore[union-attr]
            return lambda card: labels.get(getattr(card, name), "")
        if field.is_relation:
            return _related_name(name)
        return lambda card: getattr(card, name)

    return Column(header, reader, width)


def _related_name(name: str) -> Read:
    """A related record's name, worded once per record."""
    attname, names = f"{name}_id", {}

    def read(card: Complaint) -> str:
        key = getattr(card, attname)
        if key is None:
            return ""
        if key not in names:
            names[key] = str(getattr(card, name))
        return names[key]

    return read


def _contact(name: str, width: int = 20) -> Column:
    field = Contact._meta.get_field(name)

    def read(card: Complaint) -> str:
        return getattr(card.contact, name) if card.contact is not None else ""

    return Column(lambda: capfirst(str(field.verbose_name)), lambda: read, width)  # type: ignore[union-attr]


DONE_AT = Measure._meta.get_field("done_at")


def _measures(card: Complaint) -> str:
    """Each measure on a line: what, who, by when, and when it was done."""
    lines = []
    for measure in card.register_measures:  # type: ignore[attr-defined]
        parts = [measure.description, str(measure.executor), date_text(measure.due_date)]
        if measure.done_at is not None:
            parts.append(f"{DONE_AT.verbose_name}: {datetime_text(measure.done_at)}")
        lines.append(" · ".join(parts))
    return "\n".join(lines)


COLUMNS: list[Column] = [
    _field("number", 14),
    _field("received_at", 17),
    _field("state", 16),
    _field("channel", 14),
    _field("origin", 14),
    _field("request_type", 16),
    _field("claim_demand", 14),
    _field("written_confirmation_on", 14),
    _field("organisation", 30),
    _field("contact", 30, lambda card: card.contact.full_name if card.contact is not None else ""),
    _contact("phone", 18),
    _contact("email", 26),
    _contact("fax", 16),
    _field("project", 20),
    _field("product", 24),
    _field("component", 24),
    _field("supplier", 24),
    _field("order_reference", 18),
    _field("employee_concerned", 20),
    _field("department_concerned", 24),
    _field("wording", 60),
    _field("registered_by", 22),
    _field("responsible", 22),
    _field("category", 30),
    _field("cause", 24),
    _field("importance", 12),
    _field("needs_investigation", 12),
    _field("demand_presented_at", 17),
    _field("justification", 16),
    _field("opinion", 40),
    _field("opinion_date", 14),
    _field("actions_taken", 40),
    Column(lambda: capfirst(str(Measure._meta.verbose_name_plural)), lambda: _measures, 50),
    _field("answer_text", 50),
    _field("answered_at", 17),
    _field("time_spent_minutes", 12),
    _field("satisfaction", 12),
    _field("loyalty", 16),
    _field("customer_unreachable", 12),
    _field("unreachable_note", 30),
    _field("closed_at", 17),
    _field("duplicate_of", 14, lambda card: card.duplicate_of.number if card.duplicate_of is not None else ""),
]

RELATED = (
    "organisation", "contact", "product", "component", "supplier", "department_concerned", "registered_by",
    "responsible", "category", "category__parent", "cause", "duplicate_of",
)


def register_rows(queryset: QuerySet[Complaint]) -> Iterator[Complaint]:
    """The cards with what the columns read, fetched CHUNK at a time; each chunk's measures in one query
    (as `register_measures`), cheaper than a prefetch, which filters a queryset per card."""
    chunk: list[Complaint] = []
    for card in queryset.select_related(*RELATED).iterator(chunk_size=CHUNK):
        chunk.append(card)
        if len(chunk) == CHUNK:
            yield from _with_measures(chunk)
            chunk = []
    yield from _with_measures(chunk)


def _with_measures(cards: list[Complaint]) -> list[Complaint]:
    by_card: dict[int, list[Measure]] = {card.pk: [] for card in cards}
    measures = Measure.objects.filter(complaint__in=list(by_card)).select_related("executor")
    for measure in measures.order_by("due_date", "pk"):
        by_card[measure.complaint_id].append(measure)
    for card in cards:
        card.register_measures = by_card[card.pk]  # type: ignore[attr-defined]
    return cards


def write_register(
    queryset: QuerySet[Complaint], fileobj: IO[bytes], fmt: str, *, language: str, progress: Progress | None = None,
) -> int:
    """Write the cards of `queryset` (in its order) to the binary `fileobj` as CSV or XLSX in `language`;
    `progress(rows written)` is called every PROGRESS_EVERY rows and at the end. Returns the rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    with translation.override(language):
        writer = _write_csv if fmt == "csv" else _write_xlsx
        return writer(register_rows(queryset), fileobj, progress or (lambda rows: None))


def csv_delimiter() -> str:
    """The list separator a spreadsheet of the active language expects."""
    return ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","


# The format characters of config/formats, done without Django's formatter, which is slow enough to
# cost minutes over a million rows; a language using others falls back to it.
FAST_CODES: dict[str, Callable[[datetime], str]] = {
    "d": lambda m: f"{m.day:02d}", "j": lambda m: str(m.day), "m": lambda m: f"{m.month:02d}",
    "n": lambda m: str(m.month), "Y": lambda m: f"{m.year:04d}", "y": lambda m: f"{m.year % 100:02d}",
    "H": lambda m: f"{m.hour:02d}", "G": lambda m: str(m.hour), "i": lambda m: f"{m.minute:02d}",
}


def moment_text(name: str) -> Callable[[datetime], str]:
    """A date (or date and time, in the active time zone) as the active language writes it, per `name`."""
    pattern = formats.get_format(name)
    months = {month: formats.date_format(date(2000, month, 1), "M") for month in range(1, 13)}
    codes = {**FAST_CODES, "M": lambda m: months[m.month]}
    if any(char.isalpha() and char not in codes for char in pattern):
        return date_text if name == "SHORT_DATE_FORMAT" else datetime_text
    parts = [codes.get(char, lambda m, char=char: char) for char in pattern]

    def text(moment: datetime) -> str:
        if isinstance(moment, datetime) and timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return "".join(part(moment) for part in parts)

    return text


def _write_csv(cards: Iterator[Complaint], fileobj: IO[bytes], progress: Progress) -> int:
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, delimiter=csv_delimiter())
    writer.writerow([column.header() for column in COLUMNS])
    readers = [column.reader() for column in COLUMNS]
    yes, no = gettext("yes"), gettext("no")
    day_text, moment = moment_text("SHORT_DATE_FORMAT"), moment_text("SHORT_DATETIME_FORMAT")

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return yes if value else no
        if isinstance(value, datetime):
            return moment(value)
        if isinstance(value, date):
            return day_text(value)  # type: ignore[arg-type]
        value = str(value)
        return f"'{value}" if FORMULA_START.match(value) else value

    rows = 0
    for card in cards:
        writer.writerow([cell(read(card)) for read in readers])
        rows += 1
        if rows % PROGRESS_EVERY == 0:
            progress(rows)
    text.flush()
    text.detach()  # leave the caller's file open
    progress(rows)
    return rows


def _write_xlsx(cards: Iterator[Complaint], fileobj: IO[bytes], progress: Progress) -> int:
    book = Workbook(write_only=True)
    book.properties.title = gettext("Complaint register")
    bold, last_column = Font(bold=True), get_column_letter(len(COLUMNS))

    def new_sheet(number: int):
        title = gettext("Complaints") if number == 1 else f"{gettext('Complaints')} ({number})"
        sheet = book.create_sheet(title)
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([_styled(sheet, column.header(), font=bold) for column in COLUMNS])
        return sheet

    sheets, on_sheet = 1, 0
    sheet = new_sheet(sheets)
    readers = [column.reader() for column in COLUMNS[1:]]
    yes, no = gettext("yes"), gettext("no")
    date_format, datetime_format = excel_number_format("SHORT_DATE_FORMAT"), excel_number_format()

    def cell(value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return yes if value else no
        if isinstance(value, datetime):
            return _styled(sheet, excel_time(value), number_format=datetime_format)
        if isinstance(value, date):
            return _styled(sheet, value, number_format=date_format)
        if isinstance(value, int):
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        if text.startswith("=") or text in EXCEL_ERRORS:
            return _styled(sheet, text, text_only=True)  # a customer's words, never a formula
        return text

    # A card's address, built once: what comes before and after its number.
    before, after = absolute_url(reverse("complaints:detail", args=[SAMPLE_NUMBER])).split(SAMPLE_NUMBER)
    rows = 0
    for card in cards:
        if on_sheet == SHEET_ROWS:  # a sheet is full: the next one goes on
            sheet.auto_filter.ref = f"A1:{last_column}{on_sheet + 1}"
            sheets, on_sheet = sheets + 1, 0
            sheet = new_sheet(sheets)
        sheet.append([f'=HYPERLINK("{before}{card.number}{after}","{card.number}")',
                      *(cell(read(card)) for read in readers)])
        rows, on_sheet = rows + 1, on_sheet + 1
        if rows % PROGRESS_EVERY == 0:
            progress(rows)
    sheet.auto_filter.ref = f"A1:{last_column}{on_sheet + 1}"
    book.save(fileobj)
    progress(rows)
    return rows


def _styled(sheet, value: Any, *, font: Font | None = None, number_format: str = "",
            text_only: bool = False) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    if text_only:
        cell.data_type = "s"
    return cell
