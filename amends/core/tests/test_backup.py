"""`amends backup` and `amends restore` between two real instances (processes with their own database
and media folder): the restored instance has every card, event and file of the first, exactly. With
the media in an S3-compatible bucket (moto in server mode on loopback), the bucket's objects are in
the backup and go back into the new instance's bucket, or into its media folder."""

import hashlib
import json
import os
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest

from amends.monitoring.tests.test_storage_s3 import s3_server  # noqa: F401 - the moto server, a fixture

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


# Every attachment's name and the checksum of its content, read through the instance's storage.
FILES = """
import hashlib, json
from amends.complaints.models import Attachment
print(json.dumps({a.file.name: hashlib.sha256(a.file.open("rb").read()).hexdigest()
                  for a in Attachment.objects.order_by("pk")}, sort_keys=True))
"""

PREFIX = "media"


@pytest.fixture
def s3(s3_server):  # noqa: F811
    return boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                        aws_access_key_id="amends", aws_secret_access_key="amends-secret")


@pytest.fixture
def new_bucket(s3):
    made = []

    def make(name: str) -> str:
        s3.create_bucket(Bucket=name)
        made.append(name)
        return name

    yield make
    for name in made:
        for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
            s3.delete_object(Bucket=name, Key=item["Key"])
        s3.delete_bucket(Bucket=name)


def in_bucket(env: dict, endpoint: str, bucket: str) -> dict:
    return {**env, "AMENDS_S3_BUCKET": bucket, "AMENDS_S3_ENDPOINT_URL": endpoint, "AMENDS_S3_REGION": "us-east-1",
            "AMENDS_S3_ACCESS_KEY_ID": "amends", "AMENDS_S3_SECRET_ACCESS_KEY": "amends-secret",
            "AMENDS_S3_ADDRESSING_STYLE": "path", "AMENDS_S3_PREFIX": PREFIX}


def objects(s3, bucket: str) -> dict[str, str]:
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest() for key in keys}


def test_the_buckets_files_are_backed_up_and_restored_into_a_new_bucket(
    instances, s3, new_bucket, tmp_path, s3_server,  # noqa: F811 - the imported fixture
):
    source = in_bucket(instances("source"), s3_server, new_bucket("source-media"))
    amends(source, "migrate", "--noinput")
    amends(source, "shell", "--no-imports", "-c", SEED)
    files = json.loads(amends(source, "shell", "--no-imports", "-c", FILES).stdout)
    stored = objects(s3, "source-media")
    assert len(files) == 6 and stored == {f"{PREFIX}/{name}": digest for name, digest in files.items()}

    backup = tmp_path / "backup"
    assert "6 files" in amends(source, "backup", str(backup)).stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {name: digest for name, digest in manifest["files"].items() if name.startswith("media/")} == {
        f"media/{name}": digest for name, digest in files.items()}

    restored = in_bucket(instances("restored"), s3_server, new_bucket("restored-media"))
    assert "6 files" in amends(restored, "restore", str(backup)).stdout
    assert objects(s3, "restored-media") == stored
    assert json.loads(amends(restored, "shell", "--no-imports", "-c", FILES).stdout) == files

    # The bucket now holds files: a second restore into it is refused before the database is touched.
    again = in_bucket(instances("again"), s3_server, "restored-media")
    refused = amends(again, "restore", str(backup), check=False)
    assert refused.returncode != 0 and "The media storage is not empty" in refused.stderr
    assert "No planned migration" not in amends(again, "migrate", "--plan").stdout, "the database stayed empty"

    # The same backup restores into an instance that keeps its files on disk.
    on_disk = instances("on-disk")
    assert "6 files" in amends(on_disk, "restore", str(backup)).stdout
    assert json.loads(amends(on_disk, "shell", "--no-imports", "-c", FILES).stdout) == files
