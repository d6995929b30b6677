"""`amends mailgate --url`: the MTA pipe relays each message to the running app's /intake/mailgate/."""

import socket
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.intake.channels.email import services
from amends.intake.channels.email.views import mailgate as mailgate_view
from amends.intake.channels.webhooks.signing import SIGNATURE_HEADER, signature
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.queue import inbound_process_queued

FIXTURES = Path(__file__).parent / "fixtures" / "email"
AMENDS = Path(sys.executable).parent / "amends"
SECRET = "relay-secret-for-tests"
MESSAGE = (FIXTURES / "koi8r_8bit.eml").read_bytes()


@pytest.fixture
def relay_on(settings):
    settings.AMENDS_MAILGATE_SECRET = SECRET
    return settings


def post(client, raw: bytes, secret: str = SECRET):
    headers = {SIGNATURE_HEADER: signature(raw, secret)}
    return client.post(reverse("email:mailgate"), raw, content_type="message/rfc822", headers=headers)


def test_a_signed_message_is_stored_before_the_answer_and_registered_by_the_worker(client, db, relay_on):
    response = post(client, MESSAGE)
    message = InboundMessage.objects.get()
    assert response.status_code == 200
    assert response.content.decode() == f"inbound message #{message.pk}: queued"
    assert message.source == "email:mailgate" and message.status == InboundStatus.QUEUED
    inbound_process_queued()
    assert Complaint.objects.get().channel == Channel.EMAIL


def test_a_second_delivery_makes_no_second_card(client, db, relay_on):
    post(client, MESSAGE)
    assert "already received before" in post(client, MESSAGE).content.decode()
    inbound_process_queued()
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("headers", [{SIGNATURE_HEADER: signature(MESSAGE, "another secret")}, {}])
def test_a_wrong_or_missing_signature_is_refused_and_nothing_stored(client, db, relay_on, headers):
    response = client.post(reverse("email:mailgate"), MESSAGE, content_type="message/rfc822", headers=headers)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_the_endpoint_is_off_without_a_secret(client, db, settings):
    settings.AMENDS_MAILGATE_SECRET = ""
    assert post(client, MESSAGE, secret="anything").status_code == 404


def test_a_message_over_the_limit_is_refused_unread(client, db, relay_on):
    relay_on.AMENDS_MAILGATE_MAX_BYTES = len(MESSAGE) - 1
    response = post(client, MESSAGE)
    assert response.status_code == 413 and "larger than" in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_an_empty_body_and_a_get_are_refused(client, db, relay_on):
    assert post(client, b"").status_code == 400
    assert client.get(reverse("email:mailgate")).status_code == 405


def test_when_the_message_cannot_be_stored_the_answer_says_retry(client, db, relay_on, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_queued", database_down)
    response = post(client, MESSAGE)
    assert response.status_code == 503 and "should retry" in response.content.decode()


# The command itself, as an MTA runs it, against a live server.

def mailgate(*args: str, raw: bytes = MESSAGE, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(AMENDS), "mailgate", *args], input=raw, capture_output=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "mailgate.secret"
    path.write_text(SECRET + "\n")
    return str(path)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_mta_pipe_relays_to_the_app_and_exits_0_once_the_message_is_committed(
    live_server, relay_on, secret_file,
):
    done = mailgate("--url", live_server.url, "--secret-file", secret_file)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().strip() == f"mailgate: inbound message #{InboundMessage.objects.get().pk}: queued"
    again = mailgate("--url", live_server.url, env={"AMENDS_MAILGATE_SECRET": SECRET})
    assert again.returncode == 0 and "already received before" in again.stderr.decode()
    inbound_process_queued()
    assert Complaint.objects.count() == 1


def test_a_wrong_secret_or_an_app_that_is_down_tells_the_mta_to_retry(live_server, relay_on, tmp_path):
    wrong = tmp_path / "wrong.secret"
    wrong.write_text("not the secret")
    refused = mailgate("--url", live_server.url, "--secret-file", str(wrong))
    assert refused.returncode == 75 and "answered 403" in refused.stderr.decode()
    down = mailgate("--url", f"http://127.0.0.1:{closed_port()}", env={"AMENDS_MAILGATE_SECRET": SECRET})
    assert down.returncode == 75 and "did not answer" in down.stderr.decode()
    unset = mailgate("--url", live_server.url)
    assert unset.returncode == 75 and "no secret" in unset.stderr.decode()
    assert not InboundMessage.objects.exists()


def test_a_message_the_app_refuses_as_too_large_goes_back_to_the_sender(live_server, relay_on, secret_file):
    relay_on.AMENDS_MAILGATE_MAX_BYTES = 100
    done = mailgate("--url", live_server.url, "--secret-file", secret_file)
    assert done.returncode == 65 and "larger than 100 bytes" in done.stderr.decode()


@pytest.mark.parametrize("args", [
    ["--url", "ftp://127.0.0.1/"], ["--url", "http://127.0.0.1:port/"], ["--url", "http://x", "--timeout", "soon"],
])
def test_a_mistake_in_the_command_line_keeps_the_mail_queued(secret_file, args):
    done = mailgate(*args, "--secret-file", secret_file)
    assert done.returncode == 75, done.stderr


def test_no_input_is_an_error_the_mta_bounces(secret_file):
    done = mailgate("--url", "http://127.0.0.1:1", "--secret-file", secret_file, raw=b"")
    assert done.returncode == 66 and "no message" in done.stderr.decode()


def test_the_relay_does_not_start_django():
    probe = (
        "import sys\n"
        "sys.argv = ['amends', 'mailgate', '--url', sys.argv[1]]\n"
        "from config import cli\n"
        "try:\n    cli.main()\n"
        "except SystemExit as end:\n"
        "    print(end.code, sorted({m.split('.')[0] for m in sys.modules} & {'django', 'rest_framework'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, f"http://127.0.0.1:{closed_port()}"], input=MESSAGE, capture_output=True,
        env={"AMENDS_MAILGATE_SECRET": SECRET}, timeout=60,
    )
    assert done.stdout.decode().split() == ["75", "[]"], done.stderr


def _peak_bytes_of(view, request) -> tuple[int, int]:
    tracemalloc.start()
    try:
        response = view(request)
        return response.status_code, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("signed_with", ["another secret", None])
def test_a_large_unsigned_body_is_never_held_in_memory(db, relay_on, signed_with):
    body = MESSAGE + b"x" * (16 * 1024 * 1024)
    meta_name = f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"
    headers = {meta_name: signature(body, signed_with)} if signed_with else {}
    request = RequestFactory().post(reverse("email:mailgate"), body, content_type="message/rfc822", **headers)
    status, peak = _peak_bytes_of(mailgate_view, request)
    assert status == 403 and peak < 4 * 1024 * 1024
    assert not InboundMessage.objects.exists()


def test_a_signed_message_larger_than_the_memory_spool_is_stored_whole(client, db, relay_on):
    raw = MESSAGE.rstrip() + b"\n\n" + b"A long complaint line.\n" * 100_000  # over 2 MB
    assert post(client, raw).status_code == 200
    assert bytes(InboundMessage.objects.get().raw) == raw
