"""Reading a journal: a CSV (plain or gzip-compressed, its encoding and delimiter detected) or the first
sheet of an XLSX workbook, streamed row by row so a file of any size is read in constant memory."""

import codecs
import csv
import gzip
import io
import sys
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

# What a journal in Russian, Armenian or English is written in; UTF-8 is tried first.
ENCODINGS = ["utf_8", "cp1251", "koi8_r", "cp866", "mac_cyrillic", "cp1252"]
SAMPLE_BYTES = 256 * 1024
DELIMITERS = ",;\t|"
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
# A narrative may run to tens of thousands of characters; the csv module's default limit is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class TableError(Exception):
    """The file cannot be read as a table; the message is for the person who gave it."""


@dataclass
class Table:
    """An open journal: its header and a way to read its rows again from the start."""

    path: Path
    format: str  # "csv" or "xlsx"
    encoding: str  # "" for xlsx
    columns: list[str]
    delimiter: str = ","
    compressed: bool = False
    sheet: str = ""
    _header_row: int = field(default=1, repr=False)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(the row's number in the file, the header row being 1; its cells by column), blank rows left out.
        Raises TableError when the file turns out broken part way through."""
        columns = self.columns
        for number, cells in self.records():
            yield number, dict(zip(columns, cells, strict=True))

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """As rows(), the cells in the header's order (as many as it has columns): cheaper for a long run."""
        if self.format == "xlsx":
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def rows_estimate(self) -> int | None:
        """The number of data rows, counted cheaply: exact for XLSX (its dimension), an upper bound
        for a plain CSV (its line ends; a quoted cell may hold several), None for a compressed one."""
        if self.format == "xlsx":
            return self._xlsx_dimension_rows()
        if self.compressed:
            return None
        lines, last = 0, b"\n"
        with open(self.path, "rb") as stream:
            while chunk := stream.read(4 * 1024 * 1024):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"  # a last line without its line end
        return max(0, lines - self._header_row)

    def _text(self) -> IO[str]:
        raw: IO[bytes] = gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")  # type: ignore[assignment]  # noqa: SIM115
        # Undecodable bytes become U+FFFD; such a row is rejected with the reason (checking.py), the rest go in.
        return io.TextIOWrapper(raw, encoding=self.encoding, errors="replace", newline="")

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        width, number = len(self.columns), 1
        try:
            with self._text() as text:
                reader = csv.reader(text, delimiter=self.delimiter)
                next(reader, None)
                for number, cells in enumerate(reader, start=2):
                    if not any(cells):
                        continue
                    if len(cells) != width:
                        cells = (cells + [""] * width)[:width]
                    yield number, cells
        except (OSError, EOFError, csv.Error, zlib.error) as error:
            raise TableError(_("The file is damaged after row %(row)s: %(error)s") % {
                "row": number, "error": error}) from error

    def _workbook(self):
        from openpyxl import load_workbook  # loaded only for workbooks: it takes a while to import

        try:
            return load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises anything from KeyError to XML parse errors
            raise TableError(_("The workbook cannot be read: %(error)s") % {"error": error_text(error)}) \
                from error

    def _xlsx_dimension_rows(self) -> int | None:
        book = self._workbook()
        try:
            rows = book.worksheets[0].max_row
            return None if rows is None else max(0, rows - self._header_row)
        finally:
            book.close()

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        book = self._workbook()
        width, number = len(self.columns), self._header_row
        try:
            sheet = book.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(min_row=self._header_row + 1, values_only=True),
                                            start=self._header_row + 1):
                cells = [cell_text(value) for value in values[:width]]
                if not any(cells):
                    continue
                cells += [""] * (width - len(cells))
                yield number, cells
        except TableError:
            raise
        except Exception as error:  # a broken part of the archive shows only when it is read
            raise TableError(_("The workbook is damaged after row %(row)s: %(error)s") % {
                "row": number, "error": error_text(error)}) from error
        finally:
            book.close()


def error_text(error: BaseException) -> str:
    """What a library's exception says, or its name when it says nothing."""
    return str(error) or type(error).__name__


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold: dates in ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_names(cells: list[str]) -> list[str]:
    """The header's names, stripped, each unique (a repeated name gets " (2)"), a blank one numbered."""
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cell.strip().lstrip("\ufeff").strip() or _("Column %(number)s") % {"number": index}
        unique, repeat = name, 2
        while unique in names:
            unique, repeat = f"{name} ({repeat})", repeat + 1
        names.append(unique)
    while names and cells[len(names) - 1].strip() == "" and len(names) > 1:  # trailing blank header cells
        names.pop()
    return names


def encoding_detect(sample: bytes) -> str:
    """The sample's encoding: UTF-8 when it decodes as such, else what charset-normalizer finds most
    likely among the encodings Russian and Armenian journals are kept in."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf_8_sig"
    try:
        sample.decode("utf_8")
        return "utf_8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 4 and len(sample) >= SAMPLE_BYTES:  # a character cut by the sample's end
            return "utf_8"
    text = sample.decode("utf_8", errors="replace")
    if text.count("\ufffd") <= len(text) // 100:
        return "utf_8"  # UTF-8 with a few damaged rows: those are rejected, the rest go in
    best = from_bytes(sample[:SAMPLE_BYTES], cp_isolation=ENCODINGS[1:]).best()
    if best is None:
        raise TableError(_("The file's encoding cannot be recognised; choose it by hand."))
    return codecs.lookup(best.encoding).name.replace("-", "_")


def delimiter_detect(header_line: str) -> str:
    """The delimiter the header row uses most among , ; tab and |."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def table_open(path: Path, *, encoding: str | None = None) -> "Table":
    """The journal at `path` opened: its format, encoding and header found. Raises TableError."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            head = stream.read(SAMPLE_BYTES)
    except OSError as error:
        raise TableError(_("The file cannot be opened: %(error)s") % {"error": error.strerror or error}) from error
    if not head.strip():
        raise TableError(_("The file is empty."))
    if head.startswith(ZIP_MAGIC) or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_open(path)
    compressed = head.startswith(GZIP_MAGIC)
    if compressed:
        try:
            with gzip.open(path, "rb") as stream:
                head = stream.read(SAMPLE_BYTES)
        except (OSError, EOFError) as error:
            raise TableError(_("The compressed file is damaged: %(error)s") % {"error": error}) from error
    if b"\x00" in head[:4096]:
        raise TableError(_("This is not a CSV or XLSX file (it holds binary data)."))
    if encoding:
        try:
            encoding = codecs.lookup(encoding).name.replace("-", "_")
        except LookupError as error:
            raise TableError(_("Unknown encoding: %(encoding)s") % {"encoding": encoding}) from error
    else:
        encoding = encoding_detect(head)
    text = head.decode(encoding, errors="replace")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = delimiter_detect(first_line)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter), [])
    columns = header_names(header)
    if not columns or all(not cell.strip() for cell in header):
        raise TableError(_("The file has no header row."))
    return Table(path=path, format="csv", encoding=encoding, columns=columns, delimiter=delimiter,
                 compressed=compressed)


def _xlsx_open(path: Path) -> Table:
    if not zipfile.is_zipfile(path):
        raise TableError(_("The workbook is damaged: it is not a complete XLSX file."))
    table = Table(path=path, format="xlsx", encoding="", columns=[])
    book = table._workbook()
    try:
        if not book.worksheets:
            raise TableError(_("The workbook has no sheets."))
        sheet = book.worksheets[0]
        table.sheet = sheet.title
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cells):
                table._header_row = number
                table.columns = header_names(cells)
                return table
            if number > 20:
                break
    except TableError:
        raise
    except Exception as error:
        raise TableError(_("The workbook cannot be read: %(error)s") % {"error": error_text(error)}) \
            from error
    finally:
        book.close()
    raise TableError(_("The workbook's first sheet has no header row."))
