import json
from email import message_from_bytes, policy

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import translation

from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import Attachment, Complaint, TimelineEvent
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.deadlines.services import waiting_start
from amends.duplicates.models import SignatureBand, TextSignature
from amends.intake.models import InboundMessage, InboundStatus, OutboundMessage
from amends.privacy.models import AnonymisedCard, Erasure, ErasureKind
from amends.privacy.services import personal_data_erase

from .conftest import NEEDLES, media_files


def rows_naming_the_person() -> list[str]:
    """Every text, JSON and binary column of every table, searched for every needle."""
    found = []
    for model in apps.get_models():
        columns = [
            column.name for column in model._meta.concrete_fields
            if isinstance(column, models.CharField | models.TextField | models.JSONField | models.BinaryField)
        ]
        for row in model._base_manager.values("pk", *columns):
            for name in columns:
                value = row[name]
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", errors="replace")
                elif not isinstance(value, str):
                    value = json.dumps(value, ensure_ascii=False, default=str)
                hits = [needle for needle in NEEDLES if needle in (value or "").lower()]
                if hits:
                    found.append(f"{model._meta.label}.{name} #{row['pk']}: {hits}")
    return found


def mail_texts(folder) -> list[str]:
    texts = []
    for path in folder.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = message_from_bytes(chunk, policy=policy.default)
                texts.append(str(message) + "".join(
                    str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"
                ))
    return texts


def statistics() -> list[tuple]:
    return list(Complaint.objects.order_by("pk").values_list(
        "number", "state", "channel", "origin", "category", "cause", "importance", "justification", "satisfaction",
        "loyalty", "received_at", "closed_at", "answered_at", "organisation", "contact", "responsible",
    ))


def test_erasure_leaves_the_person_in_no_table_no_file_and_no_mail(
    person, qms, mail_files, django_capture_on_commit_callbacks,
):
    assert rows_naming_the_person(), "the scenario must put the person in the database first"
    assert any("петрова" in text.lower() for text in mail_texts(mail_files))
    files = [attachment.file.path for attachment in Attachment.objects.all()]
    assert files and all(path in media_files(settings.MEDIA_ROOT) for path in files)
    old_code = person.web.tracking_code

    with django_capture_on_commit_callbacks(execute=True):
        erasure = personal_data_erase(
            contact=person.contact, actor=qms, reason="Letter of Анна Петрова of 1 December, ref. 17",
        )

    assert rows_naming_the_person() == []
    assert not any(needle in text.lower() for text in mail_texts(mail_files) for needle in NEEDLES)
    assert not any(path in media_files(settings.MEDIA_ROOT) for path in files)
    assert set(Attachment.objects.values_list("original_name", flat=True)) == {"erased"}
    person.web.refresh_from_db()
    assert person.web.tracking_code != old_code
    erasure.refresh_from_db()
    assert erasure.reason == "Letter of [erased] of 1 December, ref. 17"
    assert erasure.scope["mail_files"] == 2  # the acknowledgements of the web form and the e-mail


def test_erasure_keeps_the_statistics_and_the_history(person, qms):
    before = statistics()
    events = {pk: list(TimelineEvent.objects.filter(complaint=pk).values_list("kind", "created_at", "actor"))
              for pk in Complaint.objects.values_list("pk", flat=True)}
    counts = (Attachment.objects.count(), InboundMessage.objects.count(), OutboundMessage.objects.count())

    erasure = personal_data_erase(contact=person.contact, actor=qms)

    assert statistics() == before
    assert (Attachment.objects.count(), InboundMessage.objects.count(), OutboundMessage.objects.count()) == counts
    for complaint in (person.web, person.mailed):
        after = list(TimelineEvent.objects.filter(complaint=complaint).values_list("kind", "created_at", "actor"))
        assert after[:-1] == events[complaint.pk]
        assert after[-1][0] == EventKind.PERSONAL_DATA and after[-1][2] == qms.pk
    # Another customer's card only lost the quoted address; it has no audit entry of its own.
    assert TimelineEvent.objects.filter(complaint=person.other).count() == len(events[person.other.pk])
    assert erasure.kind == ErasureKind.REQUEST and erasure.requested_by == qms
    assert sorted(erasure.scope["numbers"]) == sorted([person.web.number, person.mailed.number])
    assert erasure.scope["cards"] == 2 and erasure.scope["attachments"] == 1
    assert list(erasure.contacts.all()) == [person.contact]
    assert set(AnonymisedCard.objects.values_list("complaint", flat=True)) == {person.web.pk, person.mailed.pk}
    assert not TextSignature.objects.filter(complaint__in=[person.web, person.mailed]).exists()
    assert not SignatureBand.objects.filter(complaint__in=[person.web, person.mailed]).exists()
    assert TextSignature.objects.filter(complaint=person.other).exists()


def test_erasure_keeps_what_staff_wrote_without_the_person(person, qms):
    personal_data_erase(contact=person.contact, actor=qms)
    person.web.refresh_from_db()
    assert person.web.wording == "[erased]"
    assert person.web.answer_text == "Уважаемая [erased]! Претензия не подтвердилась."
    assert person.web.opinion == "[erased] неверно подключила чайник."
    note = TimelineEvent.objects.get(complaint=person.web, kind=EventKind.NOTE)
    assert note.text == "Перезвонил Анне Петровой на [erased]."  # declined forms stay: see the docs
    assert Erasure.objects.get().reason == ""


def test_only_the_qms_head_or_an_administrator_erases(person, responsible):
    with pytest.raises(PermissionDenied):
        personal_data_erase(contact=person.contact, actor=responsible)
    assert not Erasure.objects.exists()


def test_another_customer_called_anna_keeps_her_name_and_her_messages(person, qms, operator):
    other_anna = complaint_register(
        actor=operator, channel=Channel.PHONE, contact=contact_create(full_name="Анна Смирнова"),
        wording="Меня зовут Анна, утюг не греется.",
    )
    ignored = InboundMessage.objects.create(
        channel=Channel.EMAIL, source="mailbox", status=InboundStatus.IGNORED,
        raw="From: anna@example.org\r\n\r\nАнна снова пишет: спасибо!".encode(),
    )
    personal_data_erase(contact=person.contact, actor=qms)
    other_anna.refresh_from_db()
    ignored.refresh_from_db()
    assert other_anna.wording == "Меня зовут Анна, утюг не греется."
    assert "Анна снова пишет" in bytes(ignored.raw).decode()


def test_a_waiting_submission_of_the_person_is_never_registered(person, qms, client, process_queued):
    client.post("/complain/", {
        "name": "Анна Петрова", "email": "anna.petrova@example.ru", "text": "Ещё одна жалоба на чайник.",
        "consent": "on",
    })
    waiting = InboundMessage.objects.get(status=InboundStatus.QUEUED)
    personal_data_erase(contact=person.contact, actor=qms)
    waiting.refresh_from_db()
    assert waiting.status == InboundStatus.IGNORED and bytes(waiting.raw) == b""
    assert process_queued() == 0


def test_a_provisional_contact_with_her_e_mail_is_erased_with_her(person, qms, client, process_queued):
    # A later public submission is not matched to her: it gets a provisional contact of its own.
    client.post("/complain/", {
        "name": "А. Петрова", "email": "anna.petrova@example.ru", "text": "Третий чайник тоже течёт, уже бесит.",
        "consent": "on",
    })
    assert process_queued() == 1
    later = Complaint.objects.exclude(pk__in=[person.web.pk, person.mailed.pk, person.other.pk]).get()
    assert later.contact.provisional and later.contact != person.contact

    erasure = personal_data_erase(contact=person.contact, actor=qms)

    # Whoever typed her address, the row holds it: the erasure takes more, never less.
    assert erasure.scope["contacts"] == 2 and later.number in erasure.scope["numbers"]
    later.refresh_from_db()
    later.contact.refresh_from_db()
    assert later.wording == "[erased]" and later.contact.full_name == "[erased]" and later.contact.email == ""
    assert rows_naming_the_person() == []


def test_erasure_clears_the_person_from_the_params_a_timeline_entry_is_worded_from(person, qms):
    waiting_start(complaint=person.mailed, actor=qms, reason="Анна Петрова пришлёт фото чайника")
    erasure = personal_data_erase(contact=person.contact, actor=qms)
    entry = TimelineEvent.objects.get(complaint=person.mailed, kind=EventKind.DEADLINE, code="waiting")
    assert entry.params == {"reason": "[erased] пришлёт фото чайника"}
    with translation.override("en"):
        assert entry.text_display.startswith("Waiting for the customer: [erased] пришлёт фото чайника.")
    # The card's own pass redacted it: the last-resort sweep of every table found only the 4 rows outside the cards.
    assert erasure.scope["other_rows"] == 4
