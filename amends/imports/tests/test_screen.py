"""The upload screen: administrators only; upload → columns (saved mappings) → preview with problems → a run
queued for the worker, its progress and result; bad files and oversized ones told on the page, nothing kept."""

import gzip
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks.signals import task_enqueued
from openpyxl import Workbook

from amends.audit.models import AuditEntry
from amends.complaints.models import Complaint
from amends.imports import running, tasks
from amends.imports.mapping import CFPB
from amends.imports.models import ImportedRow, ImportMapping, ImportRun, ImportStatus
from amends.imports.uploads import DRAFTS_KEPT, DRAFTS_KEY

pytestmark = pytest.mark.django_db

JOURNAL = (
    "Номер;Дата поступления;Текст жалобы;Категория;Телефон\n"
    "A-1;31.12.2024 14:05;Не доставили заказ вовремя;Доставка;+7 900 000-00-01\n"
    "A-2;2024-12-30;Грубый оператор;Поведение персонала;\n"
    "A-3;31.12.2099;Из будущего;Доставка;\n"
    "A-4;вчера;Без даты;Доставка;\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def csv_file(text: str = JOURNAL, *, encoding: str = "utf-8", name: str = "journal.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def upload(client: Client, file) -> str:
    """Upload and return the columns step's URL."""
    response = client.post(reverse("imports:upload"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def draft_token(columns_url: str) -> str:
    return columns_url.rstrip("/").rsplit("/", 1)[-1]


def mapping_post(**fields) -> dict:
    data = {"source": "journal", "save_as": "", "field_row_id": "Номер", "field_received_at": "Дата поступления",
            "field_wording": "Текст жалобы", "field_category": "Категория", "field_phone": "Телефон"}
    data.update(fields)
    return data


@pytest.fixture
def admin_client(administrator) -> Client:
    return client_of(administrator)


# Who gets in.

@pytest.mark.parametrize("role", ["operator", "responsible", "executor", "qms", "manager"])
def test_only_administrators_see_the_screen(request, role, media):
    user = request.getfixturevalue(role)
    run = ImportRun.objects.create(source="s", rejects=ContentFile(b"row,reason\n", name="r.csv"))
    client = client_of(user)
    for url in (reverse("imports:runs"), reverse("imports:upload"), reverse("imports:run", args=[run.pk]),
                reverse("imports:rejects", args=[run.pk]), reverse("imports:columns", args=["x"]),
                reverse("imports:preview", args=["x"])):
        assert client.get(url).status_code == 403, url
    for url in (reverse("imports:resume", args=[run.pk]), reverse("imports:cancel", args=["x"])):
        assert client.post(url).status_code == 403, url
    # Refused before the body is read: nothing stored, no draft.
    assert client.post(reverse("imports:upload"), {"file": csv_file()}).status_code == 403
    assert stored_files(media) == [Path(run.rejects.path)]
    assert not ImportMapping.objects.exists()


def test_anonymous_is_sent_to_log_in():
    for url in (reverse("imports:runs"), reverse("imports:upload"), reverse("imports:run", args=[1])):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_administrators_see_each_page(admin_client, administrator):
    run = ImportRun.objects.create(source="s", original_name="old.csv", status=ImportStatus.DONE,
                                   started_by=administrator)
    assert admin_client.get(reverse("imports:runs")).status_code == 200
    assert admin_client.get(reverse("imports:upload")).status_code == 200
    assert admin_client.get(reverse("imports:run", args=[run.pk])).status_code == 200


def test_another_sessions_upload_is_not_found(admin_client, administrator):
    columns_url = upload(admin_client, csv_file())
    token = draft_token(columns_url)
    other = client_of(administrator)  # the same administrator, another session
    assert other.get(columns_url).status_code == 404
    assert other.get(reverse("imports:preview", args=[token])).status_code == 404


# The walk.

def test_upload_map_preview_and_start(admin_client, administrator, media, django_capture_on_commit_callbacks):
    columns_url = upload(admin_client, csv_file())
    token = draft_token(columns_url)
    page = admin_client.get(columns_url).content.decode()
    # The columns are guessed from the Russian headers.
    assert '<option value="Дата поступления" selected>' in page
    assert '<option value="Текст жалобы" selected>' in page
    assert 'value="journal"' in page  # the source: the file's name

    response = admin_client.post(columns_url, mapping_post(save_as="Our journal"))
    assert response.status_code == 302 and response["Location"] == reverse("imports:preview", args=[token])
    saved = ImportMapping.objects.get(name="Our journal")
    assert saved.columns == {"row_id": "Номер", "received_at": "Дата поступления", "wording": "Текст жалобы",
                             "category": "Категория", "phone": "Телефон"}
    assert saved.created_by == administrator
    assert AuditEntry.objects.filter(object_type="imports.importmapping", action="create").count() == 1

    preview = admin_client.get(reverse("imports:preview", args=[token])).content.decode()
    assert "Не доставили заказ вовремя" in preview and "Грубый оператор" in preview
    assert "2 rows have problems" in preview
    assert "is in the future" in preview and "is not a date" in preview

    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(reverse("imports:preview", args=[token]))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:run", args=[run.pk])
    assert len(queued) == 1  # the worker's job, once the run is committed
    assert (run.status, run.source, run.original_name, run.format, run.started_by) == (
        ImportStatus.QUEUED, "journal", "journal.csv", "csv", administrator)
    assert run.columns == saved.columns and run.mapping == saved
    assert Path(run.file.path).read_text(encoding="utf-8") == JOURNAL
    assert AuditEntry.objects.filter(object_type="imports.importrun", action="run").count() == 1
    # The draft is gone; its file is the run's now. The button pressed twice starts nothing more.
    assert admin_client.get(columns_url).status_code == 404
    again = admin_client.post(reverse("imports:preview", args=[token]))
    assert again.status_code == 302 and again["Location"] == reverse("imports:runs")
    assert ImportRun.objects.count() == 1
    assert Path(run.file.path).exists()
    tasks.import_run_task.call(run.pk)
    page = admin_client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "<dt>Imported</dt>" in page and "<dt>Searchable</dt>" in page


def test_a_required_field_without_a_column_is_refused(admin_client):
    columns_url = upload(admin_client, csv_file())
    response = admin_client.post(columns_url, mapping_post(field_received_at=""))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_saved_mapping_is_taken_and_its_missing_columns_said(admin_client):
    saved = ImportMapping.objects.create(name="Old", columns={"received_at": "Дата поступления",
                                                              "wording": "Текст жалобы", "email": "Почта клиента"})
    columns_url = upload(admin_client, csv_file())
    response = admin_client.get(columns_url, {"mapping": saved.pk}, follow=True)
    page = response.content.decode()
    assert "This file has no column “Почта клиента” of the saved mapping" in page
    assert '<option value="Текст жалобы" selected>' in page
    assert '<option value="Категория" selected>' not in page  # the guess gave way to the saved mapping
    admin_client.post(columns_url, mapping_post(field_category="", field_row_id="", field_phone=""))
    token = draft_token(columns_url)
    admin_client.post(reverse("imports:preview", args=[token]))
    assert ImportRun.objects.get().mapping == saved


def test_a_windows_1251_file_is_read_and_may_be_read_again_in_another_encoding(admin_client):
    columns_url = upload(admin_client, csv_file(encoding="cp1251"))
    page = admin_client.get(columns_url).content.decode()
    assert "cp1251" in page and '<option value="Текст жалобы" selected>' in page
    response = admin_client.post(columns_url, {"encoding": "koi8_r"}, follow=True)
    page = response.content.decode()
    assert "koi8_r" in page and "Текст жалобы" not in page  # garbled headers: the administrator sees it
    admin_client.post(columns_url, {"encoding": "cp1251"})
    assert '<option value="Текст жалобы" selected>' in admin_client.get(columns_url).content.decode()


def test_an_xlsx_journal_is_previewed(admin_client):
    book = Workbook()
    sheet = book.active
    sheet.append(["Date received", "Text", "Category"])
    sheet.append(["2024-05-01", "The parcel came broken", "Delivery"])
    data = io.BytesIO()
    book.save(data)
    columns_url = upload(admin_client, SimpleUploadedFile("book.xlsx", data.getvalue()))
    response = admin_client.post(columns_url, {"source": "book", "field_received_at": "Date received",
                                               "field_wording": "Text", "field_category": "Category"})
    preview = admin_client.get(response["Location"]).content.decode()
    assert "The parcel came broken" in preview and "No problems found in these rows." in preview


def test_a_compressed_csv_is_read(admin_client):
    columns_url = upload(admin_client, SimpleUploadedFile("journal.csv.gz", gzip.compress(JOURNAL.encode())))
    response = admin_client.post(columns_url, mapping_post())
    preview = admin_client.get(response["Location"]).content.decode()
    assert "Не доставили заказ вовремя" in preview


def test_cancel_deletes_the_file(admin_client, media):
    columns_url = upload(admin_client, csv_file())
    assert len(stored_files(media)) == 1
    response = admin_client.post(reverse("imports:cancel", args=[draft_token(columns_url)]))
    assert response.status_code == 302
    assert stored_files(media) == []
    assert admin_client.get(columns_url).status_code == 404


def test_old_drafts_are_dropped_with_their_files(admin_client, media):
    for _number in range(DRAFTS_KEPT + 2):
        upload(admin_client, csv_file())
    assert len(admin_client.session[DRAFTS_KEY]) == DRAFTS_KEPT
    assert len(stored_files(media)) == DRAFTS_KEPT


# Bad input: said on the page, never a 500, nothing kept.

@pytest.mark.parametrize(("name", "content", "said"), [
    ("broken.xlsx", b"PK\x03\x04 not really a workbook", "The workbook is damaged"),
    ("empty.csv", b"", "The submitted file is empty."),
    ("blank.csv", b"\n\n  \n", "The file is empty."),
    ("binary.csv", b"\x00\x01\x02\x03" * 100, "not a CSV or XLSX file"),
    ("notes.pdf", b"%PDF-1.4", "Choose a CSV or XLSX file"),
])
def test_an_unreadable_file_is_said_on_the_page(admin_client, media, name, content, said):
    response = admin_client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert said in response.content.decode()
    assert stored_files(media) == []
    assert DRAFTS_KEY not in admin_client.session or not admin_client.session[DRAFTS_KEY]


def test_a_file_over_the_limit_is_refused_before_it_is_read(admin_client, settings, media):
    settings.AMENDS_IMPORT_MAX_BYTES = 100 * 1024
    big = csv_file(JOURNAL + "A-5;01.01.2024;" + "x" * 200 * 1024 + ";Доставка;\n")
    response = admin_client.post(reverse("imports:upload"), {"file": big})
    assert response.status_code == 413
    assert "The file is larger than the limit of 100.0\xa0KB" in response.content.decode()
    assert stored_files(media) == []


def test_an_upload_within_the_limit_keeps_its_csrf_check(administrator, media):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    assert client.post(reverse("imports:upload"), {"file": csv_file()}).status_code == 403
    assert stored_files(media) == []
    client.get(reverse("imports:upload"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("imports:upload"), {"file": csv_file(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and len(stored_files(media)) == 1


# The run's page: progress while it runs (htmx polls its part), then the result and the rejects file.

def test_a_running_import_shows_its_progress_and_is_polled(admin_client, administrator):
    run = ImportRun.objects.create(source="journal", original_name="journal.csv", status=ImportStatus.RUNNING,
                                   rows_total=2000, rows_done=500, created=480, skipped=15, rejected=5,
                                   started_by=administrator)
    page = admin_client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert '<progress max="100" value="25">' in page
    assert "500 of 2000 rows read" in page
    assert f'hx-get="{reverse("imports:run", args=[run.pk])}" hx-trigger="every 2s"' in page
    assert "htmx-2.min.js" in page and "<script>" not in page
    part = admin_client.get(reverse("imports:run", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="import-progress"') and "<html" not in part
    assert "<dd>480</dd>" in part and "<dd>15</dd>" in part


def test_a_run_whose_size_is_not_known_yet_has_an_indeterminate_bar(admin_client):
    run = ImportRun.objects.create(source="journal", status=ImportStatus.QUEUED)
    page = admin_client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert '<progress max="100">' in page


def test_a_finished_import_shows_its_result_and_its_rejects(admin_client, administrator):
    rejects = "row,reason,Номер\n5,Date received “вчера” is not a date.,A-4\n"
    run = ImportRun.objects.create(source="journal", status=ImportStatus.DONE, rows_total=4, rows_done=4,
                                   created=2, skipped=1, rejected=1, started_by=administrator,
                                   rejects=ContentFile(rejects.encode(), name="journal-rejects.csv"))
    part = admin_client.get(reverse("imports:run", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in part and "<progress" not in part  # no more polling
    assert "Done." in part and "<dd>2</dd>" in part
    assert reverse("imports:rejects", args=[run.pk]) in part
    response = admin_client.get(reverse("imports:rejects", args=[run.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == rejects
    assert "attachment" in response["Content-Disposition"] and "journal-rejects" in response["Content-Disposition"]
    listing = admin_client.get(reverse("imports:runs")).content.decode()
    assert reverse("imports:run", args=[run.pk]) in listing and "Done" in listing


def test_a_run_without_rejects_has_no_rejects_file(admin_client):
    run = ImportRun.objects.create(source="journal", status=ImportStatus.DONE)
    assert admin_client.get(reverse("imports:rejects", args=[run.pk])).status_code == 404


def test_a_failed_import_says_why_and_goes_on_when_asked(admin_client, django_capture_on_commit_callbacks):
    run = ImportRun.objects.create(source="journal", status=ImportStatus.FAILED, committed_row=1200,
                                   error="The file is damaged after row 1201: unexpected end of data")
    page = admin_client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "The file is damaged after row 1201" in page and "Rows up to 1200 are in." in page
    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(reverse("imports:resume", args=[run.pk]))
    assert response.status_code == 302 and len(queued) == 1
    run.refresh_from_db()
    assert (run.status, run.error, run.committed_row) == (ImportStatus.QUEUED, "", 1200)
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(reverse("imports:resume", args=[run.pk]))  # not failed now: nothing queued twice
    assert not queued


def test_the_admin_lists_runs_and_adds_through_the_screen(admin_client):
    ImportRun.objects.create(source="journal", original_name="journal.csv")
    assert admin_client.get(reverse("admin:imports_importrun_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:imports_importrun_add"))
    assert response.status_code == 302 and response["Location"] == reverse("imports:upload")
    assert admin_client.get(reverse("admin:imports_importmapping_changelist")).status_code == 200


# The worker's job (run at once in tests): the run, its result, its slices.

def start_journal(client: Client, capture, text: str = JOURNAL, *, source: str = "journal") -> ImportRun:
    columns_url = upload(client, csv_file(text))
    client.post(columns_url, mapping_post(source=source))
    with capture(execute=True):
        client.post(reverse("imports:preview", args=[draft_token(columns_url)]))
    return ImportRun.objects.latest("pk")


def test_the_started_import_runs_and_reports_its_rejects(admin_client, django_capture_on_commit_callbacks):
    run = start_journal(admin_client, django_capture_on_commit_callbacks)
    assert (run.status, run.rows_done, run.created, run.skipped, run.rejected, run.error) == (
        ImportStatus.DONE, 4, 2, 0, 2, "")
    assert Complaint.objects.filter(wording__in=["Не доставили заказ вовремя", "Грубый оператор"]).count() == 2
    page = admin_client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "Done." in page and "hx-get" not in page
    response = admin_client.get(reverse("imports:rejects", args=[run.pk]))
    rejects = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "A-3" in rejects and "A-4" in rejects and "A-1" not in rejects
    assert "in the future" in rejects and "is not a date" in rejects
    # The reference data the run made: the categories were known, the customer with a phone is new.
    assert "New categories</dt><dd class=\"imports-name\">0</dd>" in page and "New contacts</dt><dd>1</dd>" in page


def test_the_same_file_twice_creates_nothing_new(admin_client, django_capture_on_commit_callbacks):
    start_journal(admin_client, django_capture_on_commit_callbacks)
    again = start_journal(admin_client, django_capture_on_commit_callbacks)
    assert (again.status, again.created, again.skipped, again.rejected) == (ImportStatus.DONE, 0, 2, 2)
    assert Complaint.objects.count() == 2


def test_a_long_import_goes_on_in_the_next_job_after_its_last_committed_chunk(
        admin_client, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(tasks, "IMPORT_SLICE_SECONDS", 0)  # every chunk is the last of its job
    monkeypatch.setattr(running, "CHUNK_ROWS", 1)
    jobs = []

    def counted(sender, task_result, **kwargs):
        if task_result.task.name == "import_run_task":
            jobs.append(task_result.args)

    task_enqueued.connect(counted)
    try:
        run = start_journal(admin_client, django_capture_on_commit_callbacks)
    finally:
        task_enqueued.disconnect(counted)
    assert len(jobs) == 5  # the first job and one more after each of the four chunks
    assert (run.status, run.rows_done, run.committed_row, run.created, run.rejected) == (ImportStatus.DONE, 4, 5, 2, 2)
    assert ImportedRow.objects.filter(source="journal").count() == 2


def test_a_file_gone_before_the_job_fails_the_run_with_its_reason(admin_client, django_capture_on_commit_callbacks):
    columns_url = upload(admin_client, csv_file())
    admin_client.post(columns_url, mapping_post())
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(reverse("imports:preview", args=[draft_token(columns_url)]))
    run = ImportRun.objects.get()
    Path(run.file.path).unlink()
    queued[0]()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.error
    page = admin_client.get(reverse("imports:run", args=[run.pk]))
    assert page.status_code == 200 and run.error in page.content.decode()


def test_a_cfpb_export_gets_its_mapping_and_source(admin_client):
    header = ",".join(f'"{column}"' for column in CFPB.values())
    row = ",".join(['"1"', '"2024-05-01"', '"They charged me twice"', '"Billing"', '""', '"Credit card"',
                    '"Bank"', '"CA"', '"Web"', '"Closed with explanation"', '""'])
    columns_url = upload(admin_client, csv_file(f"{header}\n{row}\n", name="complaints.csv"))
    page = admin_client.get(columns_url).content.decode()
    assert 'value="cfpb"' in page and '<option value="Complaint ID" selected>' in page
