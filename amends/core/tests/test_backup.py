"""`amends backup` and `amends restore` between two real instances (processes with their own database
and media folder): the restored instance has every card, event and file of the first, exactly."""

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AMENDS = ROOT / ".venv" / "bin" / "amends"

SEED = """
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from amends.accounts.models import User
from amends.audit.models import Action
from amends.audit.services import audit_record
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.complaints.services.timeline import complaint_attach
from amends.customers.services import contact_create
user = User.objects.create_user("op", password="x")
user.groups.add(Group.objects.get(name="operator"))
for i in range(6):
    contact = contact_create(full_name=f"Клиент {i}", email=f"c{i}@example.ru")
    card = complaint_register(actor=user, channel=Channel.PHONE, contact=contact,
                              wording=f"Жалоба {i}: чайник течёт, «ручка» треснула.")
    complaint_attach(complaint=card, actor=user, upload=SimpleUploadedFile(
        f"фото {i}.jpg", bytes(range(256)) * (i + 1), content_type="image/jpeg"))
    audit_record(actor=user, action=Action.RUN, object_type="test.seed", object_pk=card.pk)
"""

# Every card, event and attachment row as stored, every media file's checksum, and the audit verdict.
DUMP = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from amends.audit.services import audit_verify
from amends.complaints.models import Attachment, Complaint, TimelineEvent
media = Path(settings.MEDIA_ROOT)
print(json.dumps({
    "cards": list(Complaint.objects.order_by("pk").values()),
    "events": list(TimelineEvent.objects.order_by("pk").values()),
    "attachments": list(Attachment.objects.order_by("pk").values()),
    "files": {p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(media.rglob("*")) if p.is_file()},
    "audit": audit_verify().reason or "holds",
}, default=str, sort_keys=True))
"""


def amends(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(AMENDS), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if check and done.returncode:
        raise AssertionError(f"amends {args[0]} failed: {done.stderr[-3000:]}")
    return done


@pytest.fixture
def instances(tmp_path):
    """make() returns the environment of a new, empty instance: SQLite in its own folder, or a new
    database on the PostgreSQL server the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    created: list[str] = []

    def make(name: str) -> dict:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "LOG_LEVEL": "WARNING",
               "AMENDS_VAR_DIR": str(tmp_path / name), "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
        env.pop("MEDIA_ROOT", None)
        env.pop("DATABASE_URL", None)
        if url.startswith("postgres"):
            import psycopg

            database = f"amends_backup_{name}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(url, autocommit=True) as server:
                server.execute(f'CREATE DATABASE "{database}"')
            created.append(database)
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
        return env

    yield make
    if created:
        import psycopg

        with psycopg.connect(url, autocommit=True) as server:
            for database in created:
                server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_a_backup_restores_every_card_event_and_file_exactly(instances, tmp_path):
    source = instances("source")
    amends(source, "migrate", "--noinput")
    amends(source, "shell", "--no-imports", "-c", SEED)
    before = json.loads(amends(source, "shell", "--no-imports", "-c", DUMP).stdout)
    assert len(before["cards"]) == 6 and len(before["files"]) == 6 and before["audit"] == "holds"

    backup = tmp_path / "backup"
    assert "6 files" in amends(source, "backup", str(backup)).stdout
    assert json.loads((backup / "manifest.json").read_text())["tables"]["complaints_complaint"] == 6

    restored = instances("restored")
    assert "6 files" in amends(restored, "restore", str(backup)).stdout
    assert json.loads(amends(restored, "shell", "--no-imports", "-c", DUMP).stdout) == before
    # Nothing left for migrate to do: the schema came with the data.
    assert "No planned migration" in amends(restored, "migrate", "--plan").stdout

    # A second restore over it is refused: the instance is no longer empty.
    again = amends(restored, "restore", str(backup), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr


    # A damaged or incomplete backup is refused before anything is restored.
    photo = next((backup / "media").rglob("*.jpg"))
    photo.write_bytes(photo.read_bytes()[:-1] + b"x")
    target = instances("target")
    damaged = amends(target, "restore", str(backup), check=False)
    assert damaged.returncode != 0 and "damaged" in damaged.stderr
    (backup / "manifest.json").unlink()
    incomplete = amends(target, "restore", str(backup), check=False)
    assert incomplete.returncode != 0 and "not a complete backup" in incomplete.stderr
    assert not (Path(target["AMENDS_VAR_DIR"]) / "media").exists()
