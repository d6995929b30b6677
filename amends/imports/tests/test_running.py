"""Running an import: cards as the journal had them, references and contacts matched or created, the same
file twice, repeated row IDs, rejects, a run stopped and resumed, the upload's stored file, the command."""

import csv
import gzip
import io
import string
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

from amends.complaints.choices import Channel, EventKind, Justification, State
from amends.complaints.models import Category, Complaint, TimelineEvent
from amends.complaints.search_index import complaints_index, complaints_matching
from amends.customers.models import Contact, Organisation, Product
from amends.deadlines.models import Clock
from amends.imports import running
from amends.imports.mapping import mapping_guess
from amends.imports.models import ImportedRow, ImportReject, ImportRun, ImportStatus, Phase
from amends.imports.running import import_file, import_run
from amends.intake.models import OutboundMessage
from amends.notifications.models import Notification
from amends.search.indexes import COMPLAINTS

pytestmark = pytest.mark.django_db

HEADER = ["№", "Дата поступления", "Текст жалобы", "Категория", "Подкатегория", "Продукт", "Организация", "ФИО",
          "E-mail", "Телефон", "Канал", "Статус", "Дата закрытия", "Обоснованность"]
CFPB_SAMPLE = Path("/work/shared/data/cfpb_complaints/cfpb_complaints_dev.csv.gz")


def journal(tmp_path, rows, *, name="journal.csv", encoding="utf-8") -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def row(number, *, date="15.03.2024 10:30", text="Холодильник перестал морозить", category="Качество",
        subcategory="Брак", product="Холодильник Х-1", organisation="", name="", email="", phone="",
        channel="Телефон", state="Закрыта", closed="20.03.2024", justified="Да"):
    return [number, date, text, category, subcategory, product, organisation, name, email, phone, channel, state,
            closed, justified]


def test_a_journal_becomes_cards_as_it_had_them(tmp_path):
    path = journal(tmp_path, [
        row("Ж-1", organisation="ООО «Ромашка»", name="Иван Петров", email="ivan@example.ru"),
        row("Ж-2", date="01.02.2023", state="В работе", closed="", justified="", channel="Письмо",
            category="Доставка", subcategory="", product=""),
    ])
    run = import_file(path)
    assert (run.status, run.error) == (ImportStatus.DONE, "")
    assert (run.rows_total, run.rows_done, run.created, run.skipped, run.rejected) == (2, 2, 2, 0, 0)
    assert run.committed_row == 3
    closed = Complaint.objects.get(external_id="Ж-1")
    assert timezone.localtime(closed.received_at).strftime("%d.%m.%Y %H:%M") == "15.03.2024 10:30"
    assert (closed.state, closed.channel, closed.justification) == (State.CLOSED, Channel.PHONE,
                                                                     Justification.JUSTIFIED)
    assert timezone.localtime(closed.closed_at).date().isoformat() == "2024-03-20"
    assert str(closed.category) == "Качество › Брак"
    assert closed.product.name == "Холодильник Х-1"
    assert closed.organisation.name == "ООО «Ромашка»"
    assert (closed.contact.full_name, closed.contact.email, closed.contact.organisation) == (
        "Иван Петров", "ivan@example.ru", closed.organisation)
    assert closed.number.startswith("2024-")
    open_card = Complaint.objects.get(external_id="Ж-2")
    assert (open_card.state, open_card.closed_at, open_card.channel) == (State.INVESTIGATING, None, Channel.LETTER)
    assert open_card.number.startswith("2023-")
    event = TimelineEvent.objects.get(complaint=closed)
    assert (event.kind, event.to_state, event.created_at) == (EventKind.REGISTERED, State.CLOSED, closed.received_at)
    assert "Ж-1" in event.text
    assert ImportedRow.objects.get(row_id="Ж-1").complaint == closed
    assert set(complaints_matching("холодильники морозят")) == {closed.pk, open_card.pk}  # searchable at once
    assert run.started_at <= run.imported_at <= run.finished_at


def test_imported_cards_fire_nothing(tmp_path, django_capture_on_commit_callbacks):
    path = journal(tmp_path, [row("1", email="ivan@example.ru", state="Новая", closed="", justified="")])
    with django_capture_on_commit_callbacks(execute=True):
        run = import_file(path)
    assert run.created == 1
    card = Complaint.objects.get()
    assert card.state == State.REGISTERED
    assert not Clock.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_references_are_matched_or_created_once(tmp_path):
    categories = Category.objects.count()
    parent = Category.objects.create(name="Качество", name_en="Quality")
    Product.objects.create(name="Пылесос", name_en="Vacuum cleaner")
    Organisation.objects.create(name="ООО «Ромашка»")
    path = journal(tmp_path, [
        row("1", category="quality", subcategory="Брак", product="VACUUM CLEANER", organisation="ооо «ромашка»"),
        row("2", category="Качество", subcategory="брак", product="Пылесос", organisation="ООО «Лютик»"),
        row("3", category="Новая тема", subcategory="", product="", organisation="ООО «Лютик»"),
    ])
    run = import_file(path)
    assert run.created == 3
    assert Category.objects.filter(parent=parent, name="Брак").count() == 1
    assert Category.objects.count() == categories + 3
    assert Product.objects.filter(name="Пылесос").count() == 1
    assert not Product.objects.filter(name__iexact="vacuum cleaner").exists()
    assert set(Organisation.objects.values_list("name", flat=True)) >= {"ООО «Ромашка»", "ООО «Лютик»"}
    assert Organisation.objects.filter(name__icontains="ромашка").count() == 1
    assert run.references["categories"] == ["Брак", "Новая тема"]
    assert run.references["organisations"] == ["ООО «Лютик»"]
    assert (run.references["categories_count"], run.references["products_count"]) == (2, 0)


def test_contacts_are_deduplicated_by_email_or_phone(tmp_path):
    known = Contact.objects.create(full_name="Анна Смирнова", email="anna@example.ru")
    Contact.objects.create(full_name="Кто-то", email="typed@example.ru", provisional=True)
    path = journal(tmp_path, [
        row("1", name="Анна С.", email="ANNA@example.ru"),
        row("2", name="Пётр", phone="8 (900) 123-45-67"),
        row("3", name="Пётр Иванов", phone="+7 900 123 45 67", email="petr@example.ru"),
        row("4", name="Пётр", email="petr@example.ru"),
        row("5", name="Некто", email="typed@example.ru"),
        row("6", name="Без контактов"),
        row("7"),
    ])
    run = import_file(path)
    assert run.created == 7
    contact = {card.external_id: card.contact_id for card in Complaint.objects.all()}
    assert contact["1"] == known.pk
    assert contact["2"] == contact["3"] == contact["4"] != known.pk
    assert contact["5"] not in (None, known.pk)  # an unconfirmed contact is never matched
    assert contact["6"] is not None and contact["7"] is None
    assert Contact.objects.count() == 2 + 3
    assert run.references["contacts_count"] == 3


def test_the_same_file_twice_creates_nothing_new(tmp_path):
    path = journal(tmp_path, [row(str(n)) for n in range(1, 6)])
    first = import_file(path)
    again = import_file(path)
    assert again.pk != first.pk
    assert (again.status, again.created, again.skipped, again.rejected) == (ImportStatus.DONE, 0, 5, 0)
    assert Complaint.objects.count() == 5
    copy = journal(tmp_path, [row(str(n)) for n in range(1, 8)], name="later-export.csv")
    third = import_file(copy, source=first.source)
    assert (third.created, third.skipped) == (2, 5)


def test_rows_without_an_id_are_known_by_their_content(tmp_path):
    path = journal(tmp_path, [row("", text="Первый"), row("", text="Второй"), row("", text="Первый")])
    with translation.override("en"):
        run = import_file(path)
    assert (run.created, run.rejected) == (2, 1)
    assert "repeats row 2" in ImportReject.objects.get().reason
    assert import_file(path).created == 0


def test_repeated_row_ids_are_rejected_with_the_first_row(tmp_path, monkeypatch):
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)  # the repeat in a later chunk than its first
    path = journal(tmp_path, [row("A"), row("B"), row("C"), row("A", text="Другой текст"), row("B")])
    with translation.override("en"):
        run = import_file(path)
    assert (run.created, run.rejected) == (3, 2)
    reasons = dict(ImportReject.objects.values_list("row_number", "reason"))
    assert reasons == {5: "Row ID A repeats row 2 of this file.", 6: "Row ID B repeats row 3 of this file."}


def test_rejects_file_lists_each_row_with_its_reason(tmp_path):
    future = (timezone.localdate() + timezone.timedelta(days=30)).strftime("%d.%m.%Y")
    path = journal(tmp_path, [
        row("1"), row("2", date="вчера"), row("3", date=future), row("4", state="Потеряна"), row("5"),
    ])
    with translation.override("en"):
        run = import_file(path)
    assert (run.status, run.created, run.rejected) == (ImportStatus.DONE, 2, 3)
    with run.rejects.open("rb") as stream:
        lines = list(csv.reader(io.StringIO(stream.read().decode("utf-8-sig"))))
    assert lines[0] == ["row", "reason", *HEADER]
    assert [(line[0], line[2]) for line in lines[1:]] == [("3", "2"), ("4", "3"), ("5", "4")]
    assert "is not a date" in lines[1][1]
    assert "in the future" in lines[2][1]
    assert "State “Потеряна” is not known" in lines[3][1]
    assert lines[3][2:] == row("4", state="Потеряна")


def test_a_wrong_encoding_rejects_the_rows_it_spoils_and_says_so(tmp_path):
    path = tmp_path / "journal.csv"
    good = "".join(f"{n};2024-01-01;Курьер опоздал\n" for n in range(1, 200))
    path.write_bytes(f"№;Дата;Текст\n{good}".encode() + "200;2024-01-02;Жалоба\n".encode("cp1251"))
    with translation.override("en"):
        run = import_file(path)
    assert (run.status, run.encoding, run.created, run.rejected) == (ImportStatus.DONE, "utf_8", 199, 1)
    assert ImportReject.objects.get().row_number == 201
    assert "not text in the file's encoding" in ImportReject.objects.get().reason


def test_a_stopped_run_resumes_after_its_last_committed_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(running, "CHUNK_ROWS", 3)
    path = journal(tmp_path, [row(str(n)) for n in range(1, 11)])
    store = running.Importer.chunk_store
    calls = []

    def stop_at_the_third_chunk(self, rows):
        calls.append(rows[0][0])
        if len(calls) == 3:
            raise OSError("disk full")
        return store(self, rows)

    monkeypatch.setattr(running.Importer, "chunk_store", stop_at_the_third_chunk)
    with translation.override("en"):
        run = import_file(path)
    assert (run.status, run.committed_row, run.created, run.rows_done) == (ImportStatus.FAILED, 7, 6, 6)
    assert "disk full" in run.error
    assert Complaint.objects.count() == 6  # the failed chunk left nothing
    monkeypatch.setattr(running.Importer, "chunk_store", store)
    resumed = import_file(path)
    assert resumed.pk == run.pk
    assert (resumed.status, resumed.created, resumed.rows_done, resumed.skipped) == (ImportStatus.DONE, 10, 10, 0)
    assert sorted(int(n) for n in Complaint.objects.values_list("external_id", flat=True)) == list(range(1, 11))


def test_a_broken_file_fails_the_run_with_a_clear_error(tmp_path):
    path = tmp_path / "journal.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    run = ImportRun.objects.create(source="broken", path=str(path), columns={"received_at": "a", "wording": "b"})
    with translation.override("en"):
        import_run(run)
    assert run.status == ImportStatus.FAILED
    assert "workbook is damaged" in run.error
    assert run.finished_at is not None


def test_an_uploaded_file_in_the_media_storage(tmp_path):
    content = journal(tmp_path, [row("1"), row("2")]).read_bytes()
    run = ImportRun(source="upload", original_name="journal.csv", columns=mapping_guess(HEADER))
    run.file.save("journal.csv", ContentFile(content))
    seen = []
    import_run(run, progress=lambda current: seen.append(current.rows_done))
    assert (run.status, run.created, run.format, run.encoding) == (ImportStatus.DONE, 2, "csv", "utf_8")
    assert seen[0] == 0 and seen[-1] == 2


def test_a_run_is_imported_once_its_rows_are_in_and_searchable_when_it_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)
    seen = []
    path = journal(tmp_path, [row(str(n)) for n in range(1, 6)])
    run = import_file(path, progress=lambda current: seen.append((current.phase, current.imported_at)))
    assert run.status == ImportStatus.DONE
    assert [moment for phase, moment in seen if phase == Phase.ROWS] == [None] * 4  # the start, then 3 chunks
    searching = [moment for phase, moment in seen if phase == Phase.SEARCH]
    assert searching and None not in searching and run.imported_at <= run.finished_at


def test_the_command_imports_and_reports(tmp_path, capsys):
    path = journal(tmp_path, [row("1", organisation="ООО «Ромашка»"), row("2", date="завтра")])
    with translation.override("en"):
        call_command("import", str(path))
    out = capsys.readouterr().out
    assert "1 cards created" in out and "1 rejected" in out
    assert "imported in " in out and "searchable in " in out
    assert "new organisations (1): ООО «Ромашка»" in out
    assert "rejects: " in out
    with translation.override("en"), pytest.raises(CommandError, match="no field"):
        call_command("import", str(path), "--map", "colour=Статус")
    with translation.override("en"), pytest.raises(CommandError, match="cannot be opened"):
        call_command("import", str(tmp_path / "missing.csv"))


def test_the_command_previews_without_importing(tmp_path, capsys):
    path = journal(tmp_path, [row("1"), row("2", date="завтра")])
    with translation.override("en"):
        call_command("import", str(path), "--preview", "5")
    out = capsys.readouterr().out
    assert "row 2: ok" in out and "row 3: Date received “завтра” is not a date." in out
    assert not Complaint.objects.exists()


@pytest.mark.skipif(not CFPB_SAMPLE.is_file(), reason="the CFPB sample is not here")
def test_the_cfpb_sample_imports_with_its_mapping(tmp_path):
    path = tmp_path / "cfpb.csv"
    with gzip.open(CFPB_SAMPLE, "rt", encoding="utf-8", newline="") as stream, \
            open(path, "w", encoding="utf-8", newline="") as head:
        reader, writer = csv.reader(stream), csv.writer(head)
        for _row in range(1501):
            writer.writerow(next(reader))
    run = import_file(path)
    assert (run.source, run.status, run.rows_done, run.created + run.rejected) == ("cfpb", ImportStatus.DONE,
                                                                                   1500, 1500)
    card = Complaint.objects.get(external_id="509944")
    assert (card.state, card.channel) == (State.CLOSED, Channel.WEB_FORM)
    assert card.organisation.name == "World Acceptance Corporation"
    assert card.product.name == "Consumer Loan"
    assert card.wording == "Account terms and changes"


def test_an_xlsx_journal(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["№", "Дата поступления", "Текст жалобы", "Статус"])
    sheet.append([101, datetime(2024, 12, 31, 14, 5), "Не пришёл мастер", "Закрыта"])
    sheet.append([102, "31 декабря 2024", "Грубый оператор", "В работе"])
    path = tmp_path / "journal.xlsx"
    book.save(path)
    run = import_file(path)
    assert (run.status, run.format, run.created, run.rows_total) == (ImportStatus.DONE, "xlsx", 2, 2)
    card = Complaint.objects.get(external_id="101")
    assert timezone.localtime(card.received_at).strftime("%d.%m.%Y %H:%M") == "31.12.2024 14:05"
    assert Complaint.objects.get(external_id="102").state == State.INVESTIGATING


def test_tracking_codes_drawn_at_once_look_like_the_cards_own():
    codes = running._tracking_codes(1000)
    assert len(set(codes)) == 1000
    assert all(len(code) == 24 and set(code) <= set(string.ascii_letters + string.digits + "-_") for code in codes)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
@pytest.mark.django_db(transaction=True)
def test_a_run_holds_its_sqlite_settings_to_the_end_and_gives_them_back(tmp_path):
    def pragmas() -> tuple:
        with connection.cursor() as cursor:
            return tuple(cursor.execute(f"PRAGMA {name}").fetchone()[0]
                         for name in ("cache_size", "mmap_size", "temp_store"))

    usual, seen = pragmas(), []
    import_file(journal(tmp_path, [row("1"), row("2")]), progress=lambda run: seen.append((run.phase, pragmas())))
    assert {phase for phase, _ in seen} >= {Phase.ROWS, Phase.SEARCH}
    # The first call is before the run begins, the last after it ends.
    assert {values for _, values in seen[1:-1]} == {(-running.SQLITE_CACHE_KIB, 0, 1)}
    assert pragmas() == usual != (-running.SQLITE_CACHE_KIB, 0, 1)


def search_documents() -> list[tuple]:
    """The cards' documents in the search index, by card number."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.number, {'s.ident, s.body, s.messages' if sqlite else 's.document::text'}"
                       f" FROM {COMPLAINTS.table} s JOIN complaints_complaint c"
                       f" ON c.id = s.{'rowid' if sqlite else 'object_id'} ORDER BY c.number")
        return cursor.fetchall()


def test_the_imported_cards_documents_are_the_ones_the_search_index_makes_of_them(tmp_path):
    organisation = Organisation.objects.create(name="ООО «Ромашка»")
    Contact.objects.create(full_name="Петров И. И.", email="ivan@example.ru", organisation=organisation)
    run = import_file(journal(tmp_path, [
        row("Ж-1", organisation="ооо «ромашка»", name="Иван Петров", email="IVAN@example.ru",
            text="Доставка опоздала"),
        row("Ж-2", date="01.02.2023", state="В работе", closed="", phone="8 900 123-45-67", name="Ольга",
            text="Delivered broken, the boxes were wet"),
        *[row(f"Ж-{n}", phone=f"+7 900 000-00-{n % 7:02d}", text=f"Жалоба {n} о пылесосе") for n in range(3, 30)],
    ]))
    assert (run.status, run.created) == (ImportStatus.DONE, 29)
    imported = search_documents()
    ids = list(Complaint.objects.order_by("pk").values_list("pk", flat=True))
    complaints_index(ids)  # made anew of the stored cards: keys close together, read by their range
    assert search_documents() == imported
    complaints_index([ids[0], ids[-1]])  # keys far apart, read one by one
    assert search_documents() == imported
    card = dict(Complaint.objects.values_list("external_id", "pk"))
    assert complaints_matching("ivan@example.ru") == [card["Ж-1"]] and complaints_matching("deliver") == [card["Ж-2"]]
    TimelineEvent.objects.create(complaint_id=ids[5], kind=EventKind.MESSAGE_IN, text="Пылесос гудит по ночам")
    TimelineEvent.objects.create(complaint_id=ids[7], kind=EventKind.MESSAGE_IN, text="")
    complaints_index(ids[4:8])
    assert complaints_matching("гудит") == [ids[5]]
