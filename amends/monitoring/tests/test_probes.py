from unittest import mock

import pytest
from django.db import DatabaseError
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.urls import reverse

from amends.monitoring import probes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _migrations_read_again(monkeypatch):
    monkeypatch.setattr(probes, "_migrations_applied", False)


def test_health_answers_without_the_database(client):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=AssertionError):
        response = client.get(reverse("monitoring:health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_database_migrations_and_storage_are_fine(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get(reverse("monitoring:ready"))
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ready"}
    assert not list((tmp_path / "monitoring" / "ready").iterdir()), "the probe's file is removed"


@override_settings(ALLOWED_HOSTS=["complaints.example.com"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_a_server_addressed_directly_over_http(client):
    """A load balancer asks 10.0.0.5:8000 over plain HTTP: neither the host check nor the redirect stop it."""
    assert client.get("/health/", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/ready/", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/complaints/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_migrations_really_unapplied_are_found(client):
    """The recorder's row of the newest intake migration deleted (the test's transaction puts it back)."""
    row = MigrationRecorder.Migration.objects.filter(app="intake").order_by("-name").first()
    row.delete()
    response = client.get("/ready/")
    assert response.status_code == 503
    assert f"{row.app}.{row.name}" in response.json()["problems"][0]


def test_unreachable_database_is_not_ready_and_says_why(client):
    with mock.patch.object(probes, "connection") as connection:
        connection.cursor.side_effect = DatabaseError("connection refused")
        response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["problems"][0] == "database unreachable: connection refused"


def test_storage_not_writable_is_not_ready(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").write_text("a file where the folder should be")
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("media storage not writable:")
