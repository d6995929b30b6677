"""Notes, attachments and the timeline of a card."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.complaints.choices import EventKind, Justification
from amends.complaints.models import Attachment, TimelineEvent
from amends.complaints.services import complaint_transition

from .helpers import url


def test_note_lands_on_the_timeline(api, qms, complaint):
    response = api(qms).post(url(complaint, "notes"), {"text": "  Позвонить клиенту завтра. "}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["kind"], data["text"], data["actor"]["username"]) == ("note", "Позвонить клиенту завтра.", "qms")
    assert complaint.events.filter(kind=EventKind.NOTE, text="Позвонить клиенту завтра.").exists()


def test_empty_note_is_400(api, qms, complaint):
    response = api(qms).post(url(complaint, "notes"), {"text": " "}, format="json")
    assert response.status_code == 400 and "text" in response.json()["errors"]
    assert not complaint.events.filter(kind=EventKind.NOTE).exists()


def test_note_on_an_invisible_card_is_404(api, executor, complaint):
    assert api(executor).post(url(complaint, "notes"), {"text": "x"}, format="json").status_code == 404


def upload(name="act.pdf", content=b"%PDF-1.4 test", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_attachment_is_stored_with_its_event(api, operator, complaint):
    response = api(operator).post(url(complaint, "attachments"), {"file": upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    attachment = Attachment.objects.get(pk=data["id"])
    assert (data["name"], data["size"]) == ("act.pdf", len(b"%PDF-1.4 test"))
    assert attachment.uploaded_by == operator and attachment.file.read() == b"%PDF-1.4 test"
    assert complaint.events.get(kind=EventKind.ATTACHMENT).attachment == attachment


def test_forbidden_type_is_400(api, operator, complaint):
    response = api(operator).post(url(complaint, "attachments"), {"file": upload("run.exe")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["Files of type “exe” are not accepted."]}
    assert not Attachment.objects.exists()


def test_missing_or_empty_file_is_400(api, operator, complaint):
    client = api(operator)
    assert client.post(url(complaint, "attachments"), {}, format="multipart").status_code == 400
    empty = client.post(url(complaint, "attachments"), {"file": upload(content=b"")}, format="multipart")
    assert empty.status_code == 400 and "file" in empty.json()["errors"]


def test_oversized_file_is_413_json(api, operator, complaint, settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 100 * 1024
    big = upload(content=b"x" * (100 * 1024 + 1))
    response = api(operator).post(url(complaint, "attachments"), {"file": big}, format="multipart")
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than 100.0\xa0KB.", "code": "file_too_large"}
    assert not Attachment.objects.exists()


def test_upload_declared_far_over_the_limit_is_refused_before_reading(api, operator, complaint, settings,
                                                                     monkeypatch):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 1024 * 1024

    def unread(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("amends.api.views.card.AttachmentInputSerializer", unread)
    big = upload(content=b"x" * (2 * 1024 * 1024))
    response = api(operator).post(url(complaint, "attachments"), {"file": big}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"


def test_json_is_not_an_upload(api, operator, complaint):
    response = api(operator).post(url(complaint, "attachments"), {"file": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_no_files_on_a_closed_card(api, qms, complaint):
    from amends.complaints.services import complaint_transition

    complaint_transition(complaint=complaint, name="withdraw", actor=qms, comment="Отозвана")
    response = api(qms).post(url(complaint, "attachments"), {"file": upload()}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["Files are not added to a closed card."]}


def test_timeline_lists_events_in_order(api, qms, assigned):
    api(qms).post(url(assigned, "notes"), {"text": "Заметка"}, format="json")
    response = api(qms).get(url(assigned, "timeline"))
    assert response.status_code == 200
    kinds = [(e["kind"], e["transition"] or e["field"]) for e in response.json()]
    assert kinds == [("registered", ""), ("field_change", "responsible"), ("transition", "assign"), ("note", "")]
    assert response.json()[-1]["text"] == "Заметка"
    assert len(kinds) == TimelineEvent.objects.filter(complaint=assigned).count()


def test_timeline_of_an_invisible_card_is_404(api, responsible, complaint):
    assert api(responsible).get(url(complaint, "timeline")).status_code == 404


@pytest.mark.parametrize("who", ["manager", "executor"])
def test_those_who_only_read_or_carry_measures_write_no_note_where_they_may_not(api, request, walk_in_progress, who):
    """A manager reads every card, and could add notes and files to any of them through the API."""
    user = request.getfixturevalue(who)
    before = walk_in_progress.events.count()
    client = api(user)
    note = client.post(url(walk_in_progress, "notes"), {"text": "Закрывайте."}, format="json")
    upload = SimpleUploadedFile("memo.txt", b"memo", content_type="text/plain")
    attach = client.post(url(walk_in_progress, "attachments"), {"file": upload}, format="multipart")
    if who == "manager":
        assert (note.status_code, attach.status_code) == (403, 403)
        assert walk_in_progress.events.count() == before
    else:  # the executor of one of its measures notes and attaches on it
        assert (note.status_code, attach.status_code) == (201, 201)


def test_a_manager_is_refused_whatever_the_body(api, manager, complaint):
    """The body was read first: a manager's empty note was answered 400, as if a note could follow."""
    client = api(manager)
    assert client.post(url(complaint, "notes"), {"text": ""}, format="json").status_code == 403
    assert client.post(url(complaint, "attachments"), {}, format="multipart").status_code == 403


@pytest.mark.parametrize(("who", "shown"), [
    ("operator", True), ("qms", True), ("responsible", True), ("administrator", True),
    ("manager", False), ("executor", False),
])
def test_the_tracking_link_goes_only_to_those_who_talk_to_the_customer(api, request, walk_in_progress, who, shown):
    """The link lets its holder write as the customer; every viewer of the card was given it."""
    card = api(request.getfixturevalue(who)).get(url(walk_in_progress)).json()
    expected = f"/track/{walk_in_progress.number}/?code={walk_in_progress.tracking_code}"
    if shown:
        assert card["tracking_url"].endswith(expected)
    else:
        assert card["tracking_url"] is None


@pytest.fixture
def walk_in_progress(investigating, responsible, executor, cause):
    """A card registered by `operator`, handled by `responsible`, with a measure for `executor`."""
    from datetime import timedelta

    from django.utils import timezone

    from amends.complaints.services import measure_add

    decided = complaint_transition(
        complaint=investigating, name="decide", actor=responsible,
        data={"justification": Justification.JUSTIFIED, "opinion": "Брак.", "cause": cause},
    )
    measure_add(complaint=decided, actor=responsible, description="Заменить", executor=executor,
                due_date=timezone.localdate() + timedelta(days=5))
    return decided
