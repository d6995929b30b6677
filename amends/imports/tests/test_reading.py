"""Reading journals: formats, encodings, delimiters, and files that cannot be read."""

import gzip
import zipfile
from datetime import datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from amends.imports.reading import TableError, table_open


@pytest.fixture(autouse=True)
def in_english():
    """The errors are asserted as worded in English."""
    with translation.override("en"):
        yield

ROWS = [["Номер", "Дата", "Текст жалобы", "Категория"],
        ["1", "31.12.2024", "Курьер опоздал на три часа, ёлки", "Доставка"],
        ["2", "01.02.2025 14:05", "Счёт выставлен дважды; прошу вернуть", "Оплата"]]


def csv_bytes(rows, *, delimiter=";", encoding="utf-8") -> bytes:
    lines = []
    for row in rows:
        lines.append(delimiter.join(f'"{cell}"' if delimiter in cell or '"' in cell else cell for cell in row))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "koi8-r"])
def test_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "journal.csv"
    # A journal long enough for the detector to tell the Cyrillic code pages apart, as real ones are.
    path.write_bytes(csv_bytes(ROWS + [[str(n), "03.03.2025", "Обслуживание в отделении было грубым и медленным",
                                        "Персонал"] for n in range(3, 40)], encoding=encoding))
    table = table_open(path)
    assert table.format == "csv"
    assert table.columns == ["Номер", "Дата", "Текст жалобы", "Категория"]
    rows = list(table.rows())
    assert rows[0] == (2, {"Номер": "1", "Дата": "31.12.2024", "Текст жалобы": "Курьер опоздал на три часа, ёлки",
                           "Категория": "Доставка"})
    assert rows[1][1]["Текст жалобы"] == "Счёт выставлен дважды; прошу вернуть"


def test_an_encoding_given_by_hand_wins(tmp_path):
    path = tmp_path / "journal.csv"
    path.write_bytes(csv_bytes(ROWS, encoding="cp1251"))
    table = table_open(path, encoding="koi8-r")
    assert table.encoding == "koi8_r"
    assert "Категория" not in table.columns  # the bytes read as another alphabet
    assert list(table.rows())[0][1][table.columns[3]] == "Доставка".encode("cp1251").decode("koi8-r")
    with pytest.raises(TableError, match="Unknown encoding"):
        table_open(path, encoding="klingon")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(tmp_path, delimiter):
    path = tmp_path / "journal.csv"
    path.write_bytes(csv_bytes(ROWS, delimiter=delimiter))
    table = table_open(path)
    assert table.delimiter == delimiter
    assert [number for number, _cells in table.rows()] == [2, 3]


def test_gzip_compressed_csv(tmp_path):
    path = tmp_path / "journal.csv.gz"
    path.write_bytes(gzip.compress(csv_bytes(ROWS)))
    table = table_open(path)
    assert table.rows_estimate() is None
    assert len(list(table.rows())) == 2


def test_blank_rows_are_left_out_and_short_rows_padded(tmp_path):
    path = tmp_path / "journal.csv"
    path.write_text("a;b;c\n1;2;3\n\n;;\n4;5\n", encoding="utf-8")
    table = table_open(path)
    assert list(table.rows()) == [(2, {"a": "1", "b": "2", "c": "3"}), (5, {"a": "4", "b": "5", "c": ""})]
    assert table.rows_estimate() == 4  # line ends: an upper bound


def test_repeated_and_blank_headers_get_names(tmp_path):
    path = tmp_path / "journal.csv"
    path.write_text("date;date;;text\n1;2;3;4\n", encoding="utf-8")
    with __import__("django").utils.translation.override("en"):
        assert table_open(path).columns == ["date", "date (2)", "Column 3", "text"]


def test_xlsx_reads_the_first_sheet_with_dates_and_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append([])  # a blank row above the header, as exported journals have
    sheet.append(["№", "Дата", "Текст"])
    sheet.append([17, datetime(2024, 12, 31, 14, 5), "Холодильник не морозит"])
    sheet.append([18.0, datetime(2025, 1, 9), None])
    path = tmp_path / "journal.xlsx"
    book.save(path)
    table = table_open(path)
    assert (table.format, table.encoding, table.columns) == ("xlsx", "", ["№", "Дата", "Текст"])
    assert list(table.rows()) == [
        (3, {"№": "17", "Дата": "2024-12-31 14:05", "Текст": "Холодильник не морозит"}),
        (4, {"№": "18", "Дата": "2025-01-09 00:00", "Текст": ""}),
    ]
    assert table.rows_estimate() == 2


def test_broken_xlsx_is_a_table_error(tmp_path):
    book = Workbook()
    book.active.append(["a", "b"])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:600])
    with pytest.raises(TableError):
        table_open(cut)
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(lying, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(TableError, match="workbook"):
        table_open(lying)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"), (b"   \n", "empty"), (b"\x00\x01\x02binary\x00", "binary"),
])
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "journal.csv"
    path.write_bytes(content)
    with __import__("django").utils.translation.override("en"), pytest.raises(TableError, match=message):
        table_open(path)


def test_missing_file(tmp_path):
    with pytest.raises(TableError):
        table_open(tmp_path / "nowhere.csv")


def test_a_damaged_gzip_fails_part_way_with_the_row(tmp_path):
    rows = ROWS + [[str(n), "03.03.2025", f"Текст номер {n} " * 20, "Прочее"] for n in range(3, 4000)]
    whole = gzip.compress(csv_bytes(rows))
    path = tmp_path / "journal.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    table = table_open(path)
    with __import__("django").utils.translation.override("en"), pytest.raises(TableError, match="after row"):
        list(table.rows())
