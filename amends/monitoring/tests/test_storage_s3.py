"""Media in an S3-compatible bucket: a real S3 server (moto in server mode) on loopback."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from amends.complaints.services import complaint_attach
from config.settings.base import s3_storage

pytestmark = pytest.mark.django_db

BUCKET = "amends-media"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_server) -> dict[str, str]:
    return {
        "AMENDS_S3_BUCKET": BUCKET, "AMENDS_S3_ENDPOINT_URL": s3_server, "AMENDS_S3_REGION": "us-east-1",
        "AMENDS_S3_ACCESS_KEY_ID": "amends", "AMENDS_S3_SECRET_ACCESS_KEY": "amends-secret",
        "AMENDS_S3_ADDRESSING_STYLE": "path", "AMENDS_S3_PREFIX": "media",
    }


@pytest.fixture
def bucket(s3_env):
    s3 = boto3.client("s3", endpoint_url=s3_env["AMENDS_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="amends", aws_secret_access_key="amends-secret")
    s3.create_bucket(Bucket=BUCKET)
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def media_in_s3(settings, s3_env):
    settings.STORAGES = {**django_settings.STORAGES, "default": s3_storage(s3_env)}


def test_an_attachment_goes_to_the_bucket_and_comes_back(client, operator, complaint, bucket, media_in_s3):
    content = "Чек № 118, фото повреждения".encode()
    attachment = complaint_attach(complaint=complaint, actor=operator,
                                  upload=SimpleUploadedFile("чек.txt", content, content_type="text/plain"))
    stored = bucket.get_object(Bucket=BUCKET, Key=f"media/{attachment.file.name}")["Body"].read()
    assert stored == content

    client.force_login(operator)
    response = client.get(f"/complaints/{complaint.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


def test_a_second_file_of_the_same_name_never_replaces_the_first(operator, complaint, bucket, media_in_s3):
    first, second = (complaint_attach(complaint=complaint, actor=operator,
                                      upload=SimpleUploadedFile("scan.pdf", body, content_type="application/pdf"))
                     for body in (b"%PDF-1 first", b"%PDF-1 second"))
    assert first.file.name != second.file.name
    assert first.file.open("rb").read() == b"%PDF-1 first"
    assert second.file.open("rb").read() == b"%PDF-1 second"


def test_a_signed_link_reads_the_file_for_a_limited_time(operator, complaint, bucket, media_in_s3):
    attachment = complaint_attach(complaint=complaint, actor=operator,
                                  upload=SimpleUploadedFile("photo.png", b"\x89PNG...", content_type="image/png"))
    url = default_storage.url(attachment.file.name)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the loopback server's link
        assert response.read() == b"\x89PNG..."


def test_ready_reads_the_bucket_and_says_when_it_is_missing(client, bucket, media_in_s3, s3_env, settings):
    assert client.get("/ready/").json() == {"status": "ready"}
    assert "Contents" not in bucket.list_objects_v2(Bucket=BUCKET), "the probe's file is removed"

    settings.STORAGES = {**django_settings.STORAGES,
                         "default": s3_storage({**s3_env, "AMENDS_S3_BUCKET": "no-such-bucket"})}
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("media storage not writable: ")
    assert "NoSuchBucket" in response.json()["problems"][0]
