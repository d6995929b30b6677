"""Anonymous uploads have a per-address byte quota as well as a count: the web form and the
tracking page together."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from amends.complaints.choices import EventKind
from amends.complaints.models import Attachment, Complaint
from amends.intake.channels.web_form.ratelimit import Rate, parse_quota

from .test_tracking import card, url  # noqa: F401 - the tracking page's card fixture
from .test_web_form import submit, valid


def photo(size: int, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"x" * (size - 3), content_type="image/jpeg")


@override_settings(AMENDS_PUBLIC_UPLOAD_QUOTA="100KB/1d", AMENDS_WEB_FORM_RATE="off")
def test_the_web_form_refuses_files_past_the_addresss_byte_quota(db, english, django_capture_on_commit_callbacks):
    first = submit(english, valid(attachments=[photo(60 * 1024)]), django_capture_on_commit_callbacks)
    assert first.status_code == 302
    refused = submit(english, valid(attachments=[photo(60 * 1024)]), django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and "as many files as we accept" in refused.content.decode()
    assert Complaint.objects.count() == 1 and Attachment.objects.count() == 1
    # Without files the complaint still goes through, and another address has its own quota.
    assert submit(english, valid(), django_capture_on_commit_callbacks).status_code == 302
    other = submit(english, valid(attachments=[photo(60 * 1024)]), django_capture_on_commit_callbacks,
                   REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302 and Attachment.objects.count() == 2


@override_settings(AMENDS_PUBLIC_UPLOAD_QUOTA="100KB/1d", AMENDS_TRACK_MESSAGE_RATE="off")
def test_the_tracking_page_shares_the_quota(english, card):  # noqa: F811 - the fixture
    before = Attachment.objects.count()
    assert english.post(url(card), {"text": "one", "attachments": [photo(70 * 1024)]}).status_code == 302
    refused = english.post(url(card), {"text": "two", "attachments": [photo(70 * 1024)]})
    assert refused.status_code == 429
    assert Attachment.objects.count() == before + 1
    assert card.events.filter(kind=EventKind.MESSAGE_IN).count() == 1


@pytest.mark.parametrize(("text", "quota"), [
    ("200MB/1d", Rate(200 * 1024**2, 86400)), ("512kb/10m", Rate(512 * 1024, 600)), ("1000/h", Rate(1000, 3600)),
    ("2 GB / 1d", Rate(2 * 1024**3, 86400)), ("off", None), ("", None),
])
def test_quota_setting_format(text, quota):
    assert parse_quota(text) == quota
