"""`amends mailgate`: one message on standard input, exit 0 once stored (the worker registers it), 75 when
the MTA must retry."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.utils import translation

from amends.complaints.models import Complaint
from amends.intake.channels.email import services
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.queue import inbound_process_queued

FIXTURES = Path(__file__).parent / "fixtures" / "email"
AMENDS = Path(sys.executable).parent / "amends"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mailgate(raw: bytes) -> str:
    stderr = io.StringIO()
    call_command("mailgate", stdin=io.BytesIO(raw), stderr=stderr)
    return stderr.getvalue()


def test_a_message_on_stdin_is_stored_for_the_worker_which_registers_it(db):
    output = mailgate(fixture("koi8r_8bit.eml"))
    message = InboundMessage.objects.get()
    assert output.strip() == f"mailgate: inbound message #{message.pk}: queued"
    assert message.source == "email:mailgate" and not Complaint.objects.exists()
    assert inbound_process_queued() == 1
    message.refresh_from_db()
    assert message.status == InboundStatus.REGISTERED and message.complaint == Complaint.objects.get()


def test_a_message_that_makes_no_card_is_stored_all_the_same_and_quarantined_by_the_worker(db):
    assert "queued" in mailgate(fixture("broken_no_content.eml"))
    inbound_process_queued()
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.QUARANTINED and "no subject, no text and no attachments" in message.reason


def test_a_second_delivery_says_so_and_what_became_of_the_first(db):
    mailgate(fixture("koi8r_8bit.eml"))
    assert "queued (already received before)" in mailgate(fixture("koi8r_8bit.eml"))
    inbound_process_queued()
    complaint = Complaint.objects.get()
    assert f"registered, complaint {complaint.number} (already received before)" in mailgate(
        fixture("koi8r_8bit.eml"))
    assert InboundMessage.objects.count() == 1


def test_no_input_is_an_error_the_mta_bounces(db):
    with pytest.raises(CommandError, match="no message") as error:
        mailgate(b"")
    assert error.value.returncode == 66


def test_when_the_message_cannot_be_stored_the_mta_is_told_to_retry(db, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_queued", database_down)
    with pytest.raises(CommandError, match="could not be stored") as error:
        mailgate(fixture("koi8r_8bit.eml"))
    assert error.value.returncode == 75


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}")


def _run_mailgate(raw: bytes, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    return subprocess.run([str(AMENDS), "mailgate"], input=raw, capture_output=True, env=env, timeout=60)


@pytest.mark.skipif(not AMENDS.exists(), reason="the amends console script is not installed in this environment")
def test_the_real_command_as_an_mta_runs_it(transactional_db):
    done = _run_mailgate(fixture("cp1251_base64.eml"), _database_url())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode().strip() == f"mailgate: inbound message #{InboundMessage.objects.get().pk}: queued"
    inbound_process_queued()
    assert "кассир отказалась принять карту" in Complaint.objects.get().wording


@pytest.mark.skipif(not AMENDS.exists(), reason="the amends console script is not installed in this environment")
def test_the_real_command_exits_75_when_the_database_is_unreachable(tmp_path):
    done = _run_mailgate(fixture("cp1251_base64.eml"), f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    assert done.returncode == 75, done.stderr.decode()
    assert b"could not be stored" in done.stderr


@pytest.mark.skipif(not AMENDS.exists(), reason="the amends console script is not installed in this environment")
@pytest.mark.parametrize("args, database_url", [
    (["--urll", "http://127.0.0.1:8000"], "sqlite:///unused.sqlite3"),  # a typo in the MTA's command
    ([], "nosuchdb://x"),  # the app cannot even start
])
def test_a_usage_or_start_up_error_keeps_the_mail_queued(args, database_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    done = subprocess.run([str(AMENDS), "mailgate", *args], input=fixture("cp1251_base64.eml"),
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 75, done.stderr.decode()


GARBAGE = bytes(range(256)) * 8 + b"\x00\xff not mail at all \xfe"


def test_garbage_is_kept_then_quarantined_with_a_one_line_log_and_no_traceback(db, caplog):
    assert "queued" in mailgate(GARBAGE)
    assert inbound_process_queued() == 1
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.QUARANTINED and "Not an e-mail message" in message.reason
    [logged] = [record for record in caplog.records if "quarantined" in record.getMessage()]
    assert logged.exc_info is None


@pytest.mark.skipif(not AMENDS.exists(), reason="the amends console script is not installed in this environment")
def test_the_real_command_fed_garbage_keeps_it_and_says_so_in_one_line(transactional_db):
    done = _run_mailgate(GARBAGE, _database_url())
    assert done.returncode == 0  # stored: the MTA must not return it, a person looks at the quarantine
    [line] = done.stderr.decode().splitlines()
    assert line == f"mailgate: inbound message #{InboundMessage.objects.get().pk}: queued"
    inbound_process_queued()
    assert "MalformedEmail" in InboundMessage.objects.get(status=InboundStatus.QUARANTINED).reason
