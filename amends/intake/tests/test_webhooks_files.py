"""Files customers send through Telegram and VK are fetched by the worker and attached to the card.

The platforms are a small fake on 127.0.0.1 (Telegram's getFile and file download, VK's direct
links). Tests run with the ImmediateBackend, which runs a job when it is enqueued: inside the
transaction that puts the message on its card, so the files are there when the webhook answers.
"""

import json
import logging
import socket
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from amends.complaints.models import Attachment, Complaint, TimelineEvent
from amends.core.queues import QUEUES
from amends.intake.channels.webhooks.files import fetch_received_files_task
from amends.intake.channels.webhooks.inbound import parse_webhook
from amends.intake.models import InboundMessage

from .test_webhooks_support import SECRETS, LoopbackServer, make_source, payload, post

TOKEN = "7012345678:AAF-files-bot-token"
PHOTO = b"\xff\xd8\xff\xe0 JPEG of a cracked kettle \xff\xd9"
PDF = b"%PDF-1.4 act of defect no. 0417 %%EOF"
LARGEST_PHOTO_ID = "AgACAgIAAxkBAAIEn2ZLq1_large_1280x960"
DOCUMENT_ID = "BQACAgIAAxkBAAIEo2ZLsKc_acte_pdf"


class FakeFileServer(LoopbackServer):
    """Telegram's getFile and file downloads, and plain links as VK gives them; records every path."""

    def __init__(self):
        self.paths: list[str] = []
        self.telegram_files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self.links: dict[str, bytes] = {}  # path → content
        self.endless = set()  # paths that stream without end
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.paths.append(self.path)
                url = urlsplit(self.path)
                if url.path == f"/bot{TOKEN}/getFile":
                    file_id = parse_qs(url.query).get("file_id", [""])[0]
                    if file_id in server.telegram_files:
                        path = server.telegram_files[file_id][0]
                        return self._json(200, {"ok": True, "result": {"file_id": file_id, "file_path": path}})
                    return self._json(400, {"ok": False, "error_code": 400,
                                            "description": "Bad Request: invalid file_id"})
                by_path = {f"/file/bot{TOKEN}/{path}": content for path, content in server.telegram_files.values()}
                content = by_path.get(url.path, server.links.get(url.path))
                if url.path in server.endless:
                    return self._endless()
                if content is None:
                    return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self):  # the acknowledgement going back to Telegram
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._json(200, {"ok": True, "result": {"message_id": 9001}})

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _endless(self):
                self.send_response(200)  # no Content-Length: the body ends when the connection does
                self.end_headers()
                try:
                    while True:
                        self.wfile.write(b"\0" * 65536)
                except OSError:  # the client stopped reading
                    pass

            def log_message(self, *args):
                pass

        self._listen(Handler)


@pytest.fixture(autouse=True)
def installation_in_english(settings):
    settings.LANGUAGE_CODE = "en"  # the notes are written in the installation's language


@pytest.fixture
def files(monkeypatch):
    yield from FakeFileServer().serve(monkeypatch)


@pytest.fixture
def bot(db, files):
    return make_source("telegram", "files-bot", outbound_base_url=files.url, outbound_token=TOKEN)


@pytest.fixture
def community(db):
    return make_source("vk", "files-club")


def send_telegram(client, bot, body: dict):
    return post(client, bot.name, json.dumps(body).encode(),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRETS["telegram"]})


def send_vk(client, community, body: dict):
    return post(client, community.name, json.dumps(body).encode())


def fixture(name: str) -> dict:
    return json.loads(payload(name))


def vk_message(*attachments: dict) -> dict:
    event = fixture("vk_message_new_photo")
    event["object"]["message"]["attachments"] = list(attachments)
    return event


def notes(complaint: Complaint) -> list[str]:
    return list(complaint.events.filter(kind="note").values_list("text", flat=True))


def assert_token_nowhere(*texts: str):
    for text in texts:
        assert TOKEN not in text and TOKEN.split(":")[1] not in text


def stored_texts() -> list[str]:
    rows = TimelineEvent.objects.values_list("text", "old_value", "new_value", "reference")
    return [value for row in rows for value in row] + list(Complaint.objects.values_list("wording", flat=True))


def test_a_telegram_photo_is_fetched_through_get_file_and_attached_to_the_new_card(client, bot, files):
    files.telegram_files[LARGEST_PHOTO_ID] = ("photos/file_17.jpg", PHOTO)
    response = send_telegram(client, bot, fixture("telegram_photo_caption"))
    assert response.json() == {"ok": True, "status": "registered"}
    complaint = Complaint.objects.get()
    attachment = complaint.attachments.get()
    assert attachment.original_name == "photo_AQADb9oxG0JtWUl9.jpg" and attachment.uploaded_by is None
    assert attachment.file.read() == PHOTO and attachment.size == len(PHOTO)
    assert attachment.content_type == "image/jpeg"
    # The largest size only, resolved first, then downloaded with the path getFile gave.
    assert files.paths == [f"/bot{TOKEN}/getFile?file_id={LARGEST_PHOTO_ID}", f"/file/bot{TOKEN}/photos/file_17.jpg"]
    assert notes(complaint) == ["Received from the customer through Telegram: photo “photo_AQADb9oxG0JtWUl9.jpg”."]
    # Operators still see in the text that a file came.
    assert f"file_id {LARGEST_PHOTO_ID}" in complaint.wording
    assert_token_nowhere(*stored_texts())


def test_the_token_in_request_paths_is_not_logged_even_at_debug_level(client, bot, files, caplog):
    caplog.set_level(logging.DEBUG)
    files.telegram_files[LARGEST_PHOTO_ID] = ("photos/file_17.jpg", PHOTO)
    send_telegram(client, bot, fixture("telegram_photo_caption"))
    assert Attachment.objects.count() == 1
    assert_token_nowhere(caplog.text)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}})
def test_with_the_real_queue_the_webhook_answers_first_and_the_worker_fetches_the_file(client, bot, files):
    files.telegram_files[LARGEST_PHOTO_ID] = ("photos/file_17.jpg", PHOTO)
    assert send_telegram(client, bot, fixture("telegram_photo_caption")).json()["status"] == "registered"
    complaint = Complaint.objects.get()
    assert files.paths == [] and not complaint.attachments.exists()
    job = DBTaskResult.objects.get(task_path="amends.intake.channels.webhooks.files.fetch_received_files_task")
    assert job.args_kwargs["args"] == [InboundMessage.objects.get().pk, complaint.pk]
    assert job.task.call(*job.args_kwargs["args"]) == 1  # what the worker does with it
    assert complaint.attachments.get().file.read() == PHOTO


def test_a_document_sent_in_the_same_chat_is_attached_to_its_open_card(client, bot, files):
    files.telegram_files[DOCUMENT_ID] = ("documents/file_3.pdf", PDF)
    send_telegram(client, bot, fixture("telegram_message"))
    reply = fixture("telegram_document")
    reply["message"]["chat"] = fixture("telegram_message")["message"]["chat"]
    reply["message"]["reply_to_message"] = {"message_id": 1187, "chat": reply["message"]["chat"], "date": 1747724100}
    assert send_telegram(client, bot, reply).json()["status"] == "threaded"
    complaint = Complaint.objects.get()
    attachment = complaint.attachments.get()
    assert attachment.original_name == "акт_о_браке_0417.pdf" and attachment.file.read() == PDF
    assert attachment.content_type == "application/pdf"
    assert complaint.events.filter(kind="message_in", text__contains=DOCUMENT_ID).count() == 1


def test_vk_photo_largest_size_and_a_document_are_downloaded_from_their_links(client, community, files):
    files.links["/vk/photo_x.jpg"] = PHOTO
    files.links["/vk/doc/act"] = PDF
    photo = fixture("vk_message_new_photo")["object"]["message"]["attachments"][0]
    photo["photo"]["sizes"] = [
        {"type": "s", "width": 100, "height": 75, "url": f"{files.url}/vk/photo_s.jpg"},
        {"type": "x", "width": 1280, "height": 960, "url": f"{files.url}/vk/photo_x.jpg"},
        {"type": "m", "width": 130, "height": 98, "url": f"{files.url}/vk/photo_m.jpg"},
    ]
    doc = {"type": "doc", "doc": {"id": 66120, "owner_id": 48213377, "title": "акт", "size": len(PDF),
                                  "ext": "pdf", "url": f"{files.url}/vk/doc/act", "type": 1}}
    assert send_vk(client, community, vk_message(photo, doc)).content == b"ok"
    complaint = Complaint.objects.get()
    attached = {a.original_name: a.file.read() for a in complaint.attachments.all()}
    assert attached == {"photo48213377_457239431.jpg": PHOTO, "акт.pdf": PDF}
    assert sorted(files.paths) == ["/vk/doc/act", "/vk/photo_x.jpg"]
    assert "[VK photo: photo48213377_457239431]" in complaint.wording
    assert "Received from the customer through VK: document “акт.pdf”." in notes(complaint)


def test_a_vk_voice_message_is_fetched_as_ogg(client, community, files):
    files.links["/vk/voice.ogg"] = b"OggS voice"
    voice = {"type": "audio_message", "audio_message": {
        "id": 4711, "owner_id": 48213377, "duration": 7,
        "link_ogg": f"{files.url}/vk/voice.ogg", "link_mp3": f"{files.url}/vk/voice.mp3"}}
    send_vk(client, community, vk_message(voice))
    attachment = Attachment.objects.get()
    assert attachment.original_name == "audio_message48213377_4711.ogg" and attachment.file.read() == b"OggS voice"


def test_a_file_larger_than_the_limit_is_cut_off_and_noted_not_attached(client, community, files, settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    files.endless.add("/vk/huge.jpg")  # never ends: only a download that stops can finish this test
    size = {"type": "x", "width": 1280, "height": 960, "url": f"{files.url}/vk/huge.jpg"}
    photo = {"type": "photo", "photo": {"id": 5, "owner_id": 48213377, "sizes": [size]}}
    assert send_vk(client, community, vk_message(photo)).content == b"ok"
    complaint = Complaint.objects.get()
    assert not complaint.attachments.exists()
    assert notes(complaint) == ["A file the customer sent through VK was not attached: photo “photo48213377_5.jpg”. "
                                "It is larger than 1 MB."]


def test_a_declared_size_over_the_limit_is_refused_without_downloading(client, bot, files, settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    files.telegram_files[LARGEST_PHOTO_ID] = ("photos/file_17.jpg", PHOTO)
    message = fixture("telegram_photo_caption")
    message["message"]["photo"][-1]["file_size"] = 3 * 1024 * 1024
    send_telegram(client, bot, message)
    complaint = Complaint.objects.get()
    assert files.paths == [] and not complaint.attachments.exists()
    assert notes(complaint) == ["A file the customer sent through Telegram was not attached: photo "
                                "“photo_AQADb9oxG0JtWUl9.jpg”. The file “photo_AQADb9oxG0JtWUl9.jpg” "
                                "is larger than 1 MB."]


def test_a_type_that_is_not_accepted_is_refused_before_downloading(client, bot, files):
    message = fixture("telegram_message")
    del message["message"]["text"]
    message["message"]["video_note"] = {"file_id": "DQACAgIAAxkBAAIEp_round", "file_unique_id": "AgADround",
                                        "length": 240, "duration": 9, "file_size": 48000}
    send_telegram(client, bot, message)
    complaint = Complaint.objects.get()
    assert files.paths == [] and not complaint.attachments.exists()
    assert notes(complaint) == ["A file the customer sent through Telegram was not attached: video message "
                                "“video_note_AgADround.mp4”. Files of type “mp4” are not accepted."]


def test_a_get_file_error_and_a_missing_download_are_noted(client, bot, files):
    files.telegram_files[DOCUMENT_ID] = ("documents/missing.pdf", None)  # getFile answers, the download is 404
    message = fixture("telegram_document")
    # getFile does not know this one.
    message["message"]["photo"] = [{"file_id": "AgAC_unknown", "file_unique_id": "AQAD_unknown"}]
    assert send_telegram(client, bot, message).json()["status"] == "registered"
    complaint = Complaint.objects.get()
    assert not complaint.attachments.exists()
    assert notes(complaint) == [
        "A file the customer sent through Telegram was not attached: photo “photo_AQAD_unknown.jpg”. "
        "Telegram did not give the file out: Bad Request: invalid file_id.",
        "A file the customer sent through Telegram was not attached: document “акт_о_браке_0417.pdf”. "
        "The download was refused (HTTP 404).",
    ]
    assert_token_nowhere(*stored_texts())


def test_running_the_job_again_attaches_nothing_twice(client, bot, files):
    files.telegram_files[LARGEST_PHOTO_ID] = ("photos/file_17.jpg", PHOTO)
    message = fixture("telegram_photo_caption")
    message["message"]["document"] = {"file_id": "BQAC_unknown", "file_unique_id": "AgAD_unknown",
                                      "file_name": "чек.pdf", "mime_type": "application/pdf"}
    send_telegram(client, bot, message)
    complaint, inbound = Complaint.objects.get(), InboundMessage.objects.get()
    requests_before = len(files.paths)
    assert fetch_received_files_task.call(inbound.pk, complaint.pk) == 0
    assert complaint.attachments.count() == 1 and len(notes(complaint)) == 2  # one attached, one refused
    assert len(files.paths) == requests_before  # nothing fetched again


def test_an_unreachable_platform_is_noted_and_the_token_is_neither_stored_nor_logged(client, db, caplog):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = make_source("telegram", "files-bot", outbound_base_url=f"http://127.0.0.1:{port}", outbound_token=TOKEN)
    assert send_telegram(client, bot, fixture("telegram_photo_caption")).json()["status"] == "registered"
    complaint = Complaint.objects.get()
    assert notes(complaint) == ["A file the customer sent through Telegram was not attached: photo "
                                "“photo_AQADb9oxG0JtWUl9.jpg”. The platform could not be reached."]
    assert_token_nowhere(*stored_texts(), caplog.text)


def test_a_vk_link_that_is_not_a_web_address_is_not_opened(client, community):
    doc = {"type": "doc", "doc": {"id": 1, "owner_id": 48213377, "title": "passwd.txt", "ext": "txt",
                                  "url": "file:///etc/passwd"}}
    send_vk(client, community, vk_message(doc))
    complaint = Complaint.objects.get()
    assert not complaint.attachments.exists()
    assert notes(complaint) == ["A file the customer sent through VK was not attached: document “passwd.txt”. "
                                "Its link is not a web address, so it was not opened."]


@pytest.mark.parametrize(("item", "name"), [
    ({"voice": {"file_id": "AwAC_v", "file_unique_id": "AgAD_v", "mime_type": "audio/ogg", "duration": 4}},
     "voice_AgAD_v.ogg"),
    ({"document": {"file_id": "BQAC_d", "file_unique_id": "AgAD_d", "file_name": "scan",
                   "mime_type": "application/pdf"}}, "scan.pdf"),
    ({"document": {"file_id": "BQAC_e", "file_unique_id": "AgAD_e", "file_name": "../../etc/act.pdf"}}, "act.pdf"),
    ({"audio": {"file_id": "CQAC_a", "file_unique_id": "AgAD_a", "duration": 60}}, "audio_AgAD_a.mp3"),
])
def test_telegram_files_get_a_name_with_an_extension(bot, item, name):
    message = fixture("telegram_message")
    del message["message"]["text"]
    message["message"].update(item)
    inbound = InboundMessage.objects.create(channel="messenger", source=f"webhook:{bot.name}",
                                            raw=json.dumps(message).encode())
    [remote] = parse_webhook(inbound).remote_files
    assert remote.name == name
