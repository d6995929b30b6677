"""Writes to a complaint card other than lifecycle steps: register, edit, notes, files, measures."""

import os
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from amends.complaints.choices import Channel, Importance, Origin
from amends.complaints.choices import State as S
from amends.complaints.models import (
    AppendOnlyError,
    Attachment,
    Category,
    Complaint,
    Measure,
    NumberSequence,
    TimelineEvent,
)
from amends.complaints.services import (
    complaint_add_note,
    complaint_attach,
    complaint_log_call,
    complaint_register,
    complaint_transition,
    complaint_update,
    measure_add,
    measure_remove,
    measure_report,
)
from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed
from amends.customers.models import Organisation
from amends.customers.services import contact_create

from .conftest import db_state

MOSCOW = ZoneInfo("Europe/Moscow")


def upload(name="photo.jpg", size=100, content_type="image/jpeg"):
    return SimpleUploadedFile(name, b"x" * size, content_type=content_type)


def stored_files(settings) -> list[str]:
    found = []
    for folder, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(folder, f) for f in files]
    return found


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


# ---------------------------------------------------------------------------------------------
# complaint_register


def test_register_records_the_card_and_its_first_event(operator, contact):
    received = datetime(2025, 3, 4, 10, 30, tzinfo=MOSCOW)
    complaint = complaint_register(
        actor=operator, channel=Channel.EMAIL, contact=contact, received_at=received,
        wording="  Не работает пульт.  ", order_reference=" З-17 ", project=" Альфа ",
        employee_concerned=" Петров ", importance=Importance.HIGH,
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.number == "2025-000001"
    assert stored.state == S.REGISTERED
    assert stored.version == 1
    assert stored.received_at == received
    assert stored.registered_by == operator
    assert stored.responsible is None
    assert (stored.wording, stored.order_reference, stored.project, stored.employee_concerned) == (
        "Не работает пульт.", "З-17", "Альфа", "Петров",
    )
    assert stored.importance == Importance.HIGH
    assert stored.origin == Origin.EXTERNAL
    event = stored.events.get()
    assert (event.kind, event.actor, event.to_state) == ("registered", operator, S.REGISTERED)
    assert event.text == str(Channel.EMAIL.label)


def test_register_without_a_time_takes_now(operator):
    before = timezone.now()
    complaint = complaint_register(actor=operator, channel=Channel.PHONE, wording="Жалоба")
    assert before <= complaint.received_at <= timezone.now()
    assert complaint.number == f"{timezone.localdate().year}-000001"


def test_numbers_have_the_year_and_six_digits_and_go_up(operator):
    numbers = [
        complaint_register(actor=operator, channel=Channel.PHONE, wording=f"Жалоба {i}").number
        for i in range(3)
    ]
    year = timezone.localdate().year
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    assert all(re.fullmatch(r"\d{4}-\d{6}", n) for n in numbers)


@pytest.mark.parametrize(
    "utc_time, expected_year",
    [
        # 31 Dec 22:30 UTC is already 1 Jan in Moscow (UTC+3).
        (datetime(2024, 12, 31, 22, 30, tzinfo=ZoneInfo("UTC")), 2025),
        # 31 Dec 20:59 UTC is still 31 Dec in Moscow.
        (datetime(2025, 12, 31, 20, 59, tzinfo=ZoneInfo("UTC")), 2025),
        (datetime(2025, 12, 31, 21, 0, tzinfo=ZoneInfo("UTC")), 2026),
    ],
)
def test_the_number_takes_the_year_of_the_local_receipt_time(
    settings, operator, utc_time, expected_year,
):
    settings.TIME_ZONE = "Europe/Moscow"
    complaint = complaint_register(
        actor=operator, channel=Channel.LETTER, wording="Письмо", received_at=utc_time,
    )
    assert complaint.number == f"{expected_year}-000001"


def test_an_internal_channel_makes_the_complaint_internal(operator):
    complaint = complaint_register(
        actor=operator, channel=Channel.INTERNAL, origin=Origin.EXTERNAL,
        wording="Менеджер обещал перезвонить клиенту и не перезвонил.",
    )
    assert complaint.origin == Origin.INTERNAL


def test_an_internal_complaint_may_come_by_phone(operator):
    complaint = complaint_register(
        actor=operator, channel=Channel.PHONE, origin=Origin.INTERNAL, wording="Звонок коллеги",
    )
    assert (complaint.channel, complaint.origin) == (Channel.PHONE, Origin.INTERNAL)


def test_the_organisation_is_taken_from_the_contact(operator, contact):
    complaint = complaint_register(actor=operator, channel=Channel.PHONE, contact=contact,
                                   wording="Жалоба")
    assert complaint.organisation == contact.organisation
    assert complaint.organisation.name == "ООО «Ромашка»"


def test_an_organisation_given_explicitly_is_kept(operator, contact):
    other = Organisation.objects.create(name="АО «Василёк»")
    complaint = complaint_register(actor=operator, channel=Channel.PHONE, contact=contact,
                                   organisation=other, wording="Жалоба")
    assert complaint.organisation == other


def test_a_private_person_has_no_organisation(operator):
    person = contact_create(full_name="Сидорова Анна", phone="89001234567")
    complaint = complaint_register(actor=operator, channel=Channel.PHONE, contact=person,
                                   wording="Жалоба")
    assert complaint.organisation is None
    assert complaint.customer_name == "Сидорова Анна"


def test_html_and_script_in_the_wording_are_stored_as_typed(operator):
    wording = '<script>alert("x")</script><b onclick="steal()">Плохо</b> & <i>очень</i>'
    complaint = complaint_register(actor=operator, channel=Channel.WEB_FORM, wording=wording)
    assert Complaint.objects.get(pk=complaint.pk).wording == wording


@pytest.mark.parametrize("wording", ["", "   \n\t"])
def test_a_complaint_without_wording_is_refused(operator, wording):
    with pytest.raises(ValidationError) as caught:
        complaint_register(actor=operator, channel=Channel.PHONE, wording=wording)
    assert "wording" in caught.value.message_dict
    assert not Complaint.objects.exists()


def test_an_unknown_channel_is_refused(operator):
    with pytest.raises(ValidationError) as caught:
        complaint_register(actor=operator, channel="pigeon", wording="Жалоба")
    assert "channel" in caught.value.message_dict
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("role_user", ["operator", "qms", "administrator"])
def test_who_may_register(db, request, role_user):
    user = request.getfixturevalue(role_user)
    complaint = complaint_register(actor=user, channel=Channel.PHONE, wording="Жалоба")
    assert complaint.registered_by == user


@pytest.mark.parametrize("role_user", ["responsible", "executor", "manager"])
def test_who_may_not_register(request, role_user, make_user):
    with pytest.raises(AccessDenied):
        complaint_register(
            actor=request.getfixturevalue(role_user), channel=Channel.PHONE, wording="Жалоба",
        )
    with pytest.raises(AccessDenied):
        complaint_register(actor=make_user("plain"), channel=Channel.PHONE, wording="Жалоба")
    assert not Complaint.objects.exists()


def test_attachments_are_stored_with_the_registration(settings, operator):
    complaint = complaint_register(
        actor=operator, channel=Channel.EMAIL, wording="Фото брака",
        attachments=[upload("фото 1.JPG"), upload("act.pdf", 50, "application/pdf")],
    )
    files = list(complaint.attachments.order_by("pk"))
    assert [(a.original_name, a.size, a.uploaded_by) for a in files] == [
        ("фото 1.JPG", 100, operator), ("act.pdf", 50, operator),
    ]
    assert all(a.file.name.startswith(f"complaints/{complaint.number}/") for a in files)
    assert files[0].file.read() == b"x" * 100
    events = complaint.events.filter(kind="attachment").order_by("pk")
    assert [(e.attachment_id, e.text) for e in events] == [(a.pk, a.original_name) for a in files]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: upload("big.jpg", 2049), id="too-big"),
        pytest.param(lambda: upload("virus.exe", 10, "application/octet-stream"), id="exe"),
        pytest.param(lambda: upload("page.html", 10, "text/html"), id="html"),
        pytest.param(lambda: upload("noextension", 10), id="no-extension"),
        pytest.param(lambda: upload("photo.jpg.exe", 10), id="double-extension"),
    ],
)
def test_a_bad_attachment_refuses_the_whole_registration(settings, operator, bad):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 2048
    files_before = stored_files(settings)
    with pytest.raises(ValidationError):
        complaint_register(
            actor=operator, channel=Channel.EMAIL, wording="Жалоба с файлами",
            attachments=[upload("ok.pdf", 10), bad()],
        )
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert stored_files(settings) == files_before


def test_a_file_exactly_at_the_limit_is_accepted(settings, operator):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 2048
    complaint = complaint_register(actor=operator, channel=Channel.EMAIL, wording="Жалоба",
                                   attachments=[upload("scan.png", 2048)])
    assert complaint.attachments.get().size == 2048


# ---------------------------------------------------------------------------------------------
# complaint_update


def test_update_writes_each_change_to_the_timeline(complaint, qms):
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    updated = complaint_update(
        complaint=complaint, actor=qms, expected_version=complaint.version,
        changes={"wording": "Новая формулировка", "importance": Importance.CRITICAL,
                 "category": category, "project": complaint.project},
    )
    assert updated.version == complaint.version + 1
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.wording, stored.importance, stored.category) == (
        "Новая формулировка", Importance.CRITICAL, category,
    )
    changes = {
        e.field: (e.old_value, e.new_value, e.actor_id)
        for e in stored.events.filter(kind="field_change")
    }
    assert changes == {
        "wording": (complaint.wording, "Новая формулировка", qms.pk),
        "importance": (str(Importance.MEDIUM.label), str(Importance.CRITICAL.label), qms.pk),
        "category": ("", str(category), qms.pk),
    }


def test_an_update_that_changes_nothing_writes_nothing(complaint, qms):
    before = db_state(complaint)
    complaint_update(complaint=complaint, actor=qms, changes={"wording": complaint.wording})
    assert db_state(complaint) == before


def test_update_with_a_stale_version_is_refused_and_changes_nothing(complaint, qms):
    complaint_update(complaint=complaint, actor=qms, changes={"project": "Альфа"})
    before = db_state(complaint)
    with pytest.raises(StaleObject):
        complaint_update(complaint=complaint, actor=qms, expected_version=complaint.version,
                         changes={"project": "Бета"})
    assert db_state(complaint) == before


@pytest.mark.parametrize(
    "field, value",
    [("state", S.CLOSED), ("number", "2000-000001"), ("version", 99), ("responsible", None),
     ("justification", "justified"), ("satisfaction", 10), ("registered_by", None),
     ("duplicate_of", None), ("answer_text", "Ответ"), ("no_such_field", 1)],
)
def test_fields_outside_the_editable_list_are_refused(complaint, qms, field, value):
    before = db_state(complaint)
    with pytest.raises(ValidationError):
        complaint_update(complaint=complaint, actor=qms,
                         changes={"wording": "Другая", field: value})
    assert db_state(complaint) == before


@pytest.mark.parametrize(
    "changes",
    [{"importance": "urgent"}, {"channel": "pigeon"}, {"wording": ""},
     {"time_spent_minutes": -5}],
)
def test_invalid_values_are_refused(complaint, qms, changes):
    before = db_state(complaint)
    with pytest.raises(ValidationError):
        complaint_update(complaint=complaint, actor=qms, changes=changes)
    assert db_state(complaint) == before


EDITORS = [
    # (state, user, may edit)
    (S.REGISTERED, "operator", True),
    (S.REGISTERED, "operator2", False),
    (S.REGISTERED, "responsible", False),
    (S.REGISTERED, "qms", True),
    (S.REGISTERED, "administrator", True),
    (S.REGISTERED, "manager", False),
    (S.ASSIGNED, "operator", False),
    (S.ASSIGNED, "responsible", True),
    (S.ASSIGNED, "responsible2", False),
    (S.IN_PROGRESS, "executor", False),
    (S.IN_PROGRESS, "responsible", True),
    (S.IN_PROGRESS, "manager", False),
    (S.ANSWERED, "qms", True),
    (S.CLOSED, "qms", False),
    (S.CLOSED, "administrator", False),
    (S.CLOSED, "responsible", False),
    (S.WITHDRAWN, "qms", False),
    (S.DUPLICATE, "qms", False),
]


@pytest.mark.parametrize("state, user, allowed", EDITORS)
def test_who_may_edit_the_card(request, walk, state, user, allowed):
    complaint = walk(None, state)
    before = db_state(complaint)
    actor = request.getfixturevalue(user)
    if allowed:
        complaint_update(complaint=complaint, actor=actor, changes={"project": "Проект X"})
        assert Complaint.objects.get(pk=complaint.pk).project == "Проект X"
    else:
        with pytest.raises(AccessDenied):
            complaint_update(complaint=complaint, actor=actor, changes={"project": "Проект X"})
        assert db_state(complaint) == before


# ---------------------------------------------------------------------------------------------
# Notes and attachments


@pytest.mark.parametrize("user", ["operator", "qms", "administrator"])
def test_those_working_the_card_may_add_a_note(request, complaint, user):
    actor = request.getfixturevalue(user)
    note = complaint_add_note(complaint=complaint, actor=actor, text="  Клиент перезвонил.  ")
    assert (note.kind, note.actor, note.text, note.complaint) == (
        "note", actor, "Клиент перезвонил.", complaint,
    )


@pytest.mark.parametrize("user", ["operator2", "responsible", "executor", "nobody"])
def test_a_note_on_a_card_one_cannot_see_is_refused(request, complaint, user):
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        complaint_add_note(complaint=complaint, actor=request.getfixturevalue(user), text="Текст")
    assert db_state(complaint) == before


@pytest.mark.parametrize("write", ["note", "call", "attach"])
def test_a_manager_reads_the_card_but_writes_nothing_on_it(complaint, manager, write):
    """Managers read everything (DOMAIN.md §9), and could add notes, log calls and attach files."""
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        if write == "attach":
            complaint_attach(complaint=complaint, actor=manager, upload=upload())
        else:
            writer = complaint_add_note if write == "note" else complaint_log_call
            writer(complaint=complaint, actor=manager, text="Текст")
    assert db_state(complaint) == before


def test_an_executor_notes_and_attaches_on_their_measures_card_but_calls_no_customer(walk, executor):
    complaint = walk(None, S.IN_PROGRESS)
    complaint_add_note(complaint=complaint, actor=executor, text="Заказали деталь.")
    complaint_attach(complaint=complaint, actor=executor, upload=upload())
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        complaint_log_call(complaint=complaint, actor=executor, text="Позвонил клиенту.")
    assert db_state(complaint) == before


def test_the_registering_operator_still_talks_to_the_customer_after_assignment(walk, operator):
    complaint = walk(None, S.INVESTIGATING)
    call = complaint_log_call(complaint=complaint, actor=operator, text="Сообщил номер.")
    assert call.actor == operator


def test_an_empty_note_is_refused(complaint, operator):
    before = db_state(complaint)
    with pytest.raises(ValidationError):
        complaint_add_note(complaint=complaint, actor=operator, text=" \n ")
    assert db_state(complaint) == before


def test_attach_stores_the_file_and_an_event(settings, complaint, operator):
    attachment = complaint_attach(complaint=complaint, actor=operator,
                                  upload=upload("письмо.eml", 30, "message/rfc822"))
    assert attachment.complaint == complaint
    assert attachment.original_name == "письмо.eml"
    assert os.path.exists(attachment.file.path)
    event = complaint.events.get(kind="attachment")
    assert (event.attachment, event.actor) == (attachment, operator)


def test_attach_refuses_a_bad_file_and_stores_nothing(settings, complaint, operator):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 1000
    files_before = stored_files(settings)
    before = db_state(complaint)
    for bad in (upload("big.pdf", 1001), upload("script.js", 10, "text/javascript")):
        with pytest.raises(ValidationError):
            complaint_attach(complaint=complaint, actor=operator, upload=bad)
    assert db_state(complaint) == before
    assert stored_files(settings) == files_before


def test_attach_is_refused_to_someone_who_cannot_see_the_card(complaint, operator2):
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        complaint_attach(complaint=complaint, actor=operator2, upload=upload())
    assert db_state(complaint) == before


@pytest.mark.parametrize("state", [S.CLOSED, S.WITHDRAWN, S.DUPLICATE])
def test_no_files_are_added_to_a_final_card(walk, qms, state):
    complaint = walk(None, state)
    before = db_state(complaint)
    with pytest.raises(ValidationError):
        complaint_attach(complaint=complaint, actor=qms, upload=upload())
    assert db_state(complaint) == before


def test_attach_checks_the_current_state_not_the_object_passed(walk, qms, responsible):
    complaint = walk(None, S.ANSWERED)
    stale = Complaint.objects.get(pk=complaint.pk)
    walk(complaint, S.CLOSED)
    before = db_state(complaint)
    with pytest.raises(ValidationError):
        complaint_attach(complaint=stale, actor=qms, upload=upload())
    assert db_state(complaint) == before


# ---------------------------------------------------------------------------------------------
# Measures


@pytest.mark.parametrize("user", ["responsible", "qms", "administrator"])
def test_measures_are_added_after_the_decision(request, walk, executor, user):
    complaint = walk(None, S.DECIDED)
    actor = request.getfixturevalue(user)
    measure = measure_add(complaint=complaint, actor=actor, description="  Заменить пульт ",
                          executor=executor, due_date=in_days(0))
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.complaint, stored.description, stored.executor, stored.due_date) == (
        complaint, "Заменить пульт", executor, timezone.localdate(),
    )
    assert stored.approved_at is None and stored.done_at is None
    event = complaint.events.filter(kind="measure").get()
    assert event.actor == actor
    assert "Заменить пульт" in event.text


@pytest.mark.parametrize("user", ["operator", "responsible2", "executor", "manager"])
def test_measures_are_not_added_by_others(request, walk, executor, user):
    complaint = walk(None, S.DECIDED)
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        measure_add(complaint=complaint, actor=request.getfixturevalue(user),
                    description="Мера", executor=executor, due_date=in_days(3))
    assert db_state(complaint) == before


@pytest.mark.parametrize(
    "state", [S.REGISTERED, S.INVESTIGATING, S.MEASURES_PLANNED, S.IN_PROGRESS, S.CLOSED],
)
def test_measures_are_added_only_in_the_decided_state(walk, qms, executor, state):
    complaint = walk(None, state)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        measure_add(complaint=complaint, actor=qms, description="Мера", executor=executor,
                    due_date=in_days(3))
    assert db_state(complaint) == before


def test_a_measure_due_in_the_past_is_refused(walk, responsible, executor):
    complaint = walk(None, S.DECIDED)
    before = db_state(complaint)
    with pytest.raises(ValidationError) as caught:
        measure_add(complaint=complaint, actor=responsible, description="Мера",
                    executor=executor, due_date=in_days(-1))
    assert set(caught.value.message_dict) == {"due_date"}
    assert db_state(complaint) == before


def test_a_measure_without_a_description_is_refused(walk, responsible, executor):
    complaint = walk(None, S.DECIDED)
    before = db_state(complaint)
    with pytest.raises(ValidationError):
        measure_add(complaint=complaint, actor=responsible, description="   ",
                    executor=executor, due_date=in_days(1))
    assert db_state(complaint) == before


def test_a_measure_is_removed_before_the_plan_is_submitted(walk, responsible, executor):
    complaint = walk(None, S.DECIDED)
    measure = measure_add(complaint=complaint, actor=responsible, description="Лишняя мера",
                          executor=executor, due_date=in_days(1))
    measure_remove(measure=measure, actor=responsible)
    assert not Measure.objects.filter(pk=measure.pk).exists()
    texts = list(complaint.events.filter(kind="measure").values_list("text", flat=True))
    assert len(texts) == 2 and "Лишняя мера" in texts[1]


@pytest.mark.parametrize("user", ["operator", "executor", "responsible2", "manager"])
def test_a_measure_is_not_removed_by_others(request, walk, responsible, executor, user):
    complaint = walk(None, S.DECIDED)
    measure = measure_add(complaint=complaint, actor=responsible, description="Мера",
                          executor=executor, due_date=in_days(1))
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        measure_remove(measure=measure, actor=request.getfixturevalue(user))
    assert db_state(complaint) == before


def test_a_measure_is_not_removed_once_the_plan_is_submitted(walk, responsible):
    complaint = walk(None, S.MEASURES_PLANNED)
    measure = complaint.measures.get()
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        measure_remove(measure=measure, actor=responsible)
    assert db_state(complaint) == before


def test_measure_remove_checks_the_current_state_not_the_object_passed(
    walk, responsible, executor,
):
    """A measure read before the plan was submitted cannot be removed after it."""
    complaint = walk(None, S.DECIDED)
    measure = measure_add(complaint=complaint, actor=responsible, description="Мера",
                          executor=executor, due_date=in_days(1))
    stale = Measure.objects.select_related("complaint").get(pk=measure.pk)
    complaint_transition(complaint=complaint, name="plan", actor=responsible)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        measure_remove(measure=stale, actor=responsible)
    assert db_state(complaint) == before


@pytest.mark.parametrize("user", ["executor", "responsible", "qms", "administrator"])
def test_a_measure_is_reported_once_in_progress(request, walk, user):
    complaint = walk(None, S.IN_PROGRESS)
    measure = complaint.measures.get()
    actor = request.getfixturevalue(user)
    reported = measure_report(measure=measure, actor=actor, report="  Пульт заменён.  ")
    stored = Measure.objects.get(pk=measure.pk)
    assert stored.report == reported.report == "Пульт заменён."
    assert stored.done_at is not None and stored.is_done
    event = complaint.events.filter(kind="measure").order_by("-pk").first()
    assert event.actor == actor and "Пульт заменён." in event.text


@pytest.mark.parametrize(("language", "description", "stop"), [
    ("ru", "Заменить пульт.", "."), ("hy", "Փոխել վահանակը։", "։"),
])
def test_a_reported_measure_reads_without_a_doubled_full_stop(walk, executor, language, description, stop):
    complaint = walk(None, S.IN_PROGRESS)
    measure = complaint.measures.get()
    Measure.objects.filter(pk=measure.pk).update(description=description)
    with translation.override(language):
        measure_report(measure=Measure.objects.get(pk=measure.pk), actor=executor, report="Готово.")
    event = complaint.events.filter(kind="measure").order_by("-pk").first()
    assert f"{description} " in event.text and stop * 2 not in event.text


@pytest.mark.parametrize("user", ["executor2", "operator", "responsible2", "manager"])
def test_a_measure_is_not_reported_by_others(request, walk, user):
    complaint = walk(None, S.IN_PROGRESS)
    measure = complaint.measures.get()
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        measure_report(measure=measure, actor=request.getfixturevalue(user), report="Сделал")
    assert db_state(complaint) == before


def test_a_measure_is_not_reported_before_approval(walk, executor):
    complaint = walk(None, S.MEASURES_PLANNED)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        measure_report(measure=complaint.measures.get(), actor=executor, report="Сделал")
    assert db_state(complaint) == before


def test_a_measure_is_reported_only_once(walk, executor):
    complaint = walk(None, S.IN_PROGRESS)
    measure = complaint.measures.get()
    measure_report(measure=measure, actor=executor, report="Первый отчёт")
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        measure_report(measure=measure, actor=executor, report="Второй отчёт")
    assert db_state(complaint) == before


def test_a_report_is_required(walk, executor):
    complaint = walk(None, S.IN_PROGRESS)
    before = db_state(complaint)
    with pytest.raises(ValidationError) as caught:
        measure_report(measure=complaint.measures.get(), actor=executor, report="  ")
    assert set(caught.value.message_dict) == {"report"}
    assert db_state(complaint) == before


# ---------------------------------------------------------------------------------------------
# The timeline is append-only


@pytest.mark.parametrize(("field", "stored", "english"), [
    ("justification", "Обоснованная", "Justified"),
    ("needs_investigation", "нет", "no"),
    ("importance", "Բարձր", "High"),
    ("project", "Обоснованная", "Обоснованная"),  # free text is shown as written
])
def test_a_changed_choice_reads_in_the_readers_language(field, stored, english):
    """The timeline keeps a choice as its author read it; a reader of another language reads it in theirs."""
    change = TimelineEvent(kind="field_change", field=field, old_value="", new_value=stored)
    with translation.override("en"):
        assert change.new_display == english


def test_a_registration_names_its_channel_in_the_readers_language():
    with translation.override("ru"):
        stored = str(Channel.PHONE.label)
    with translation.override("hy"):
        assert TimelineEvent(kind="registered", text=stored).text_display == str(Channel.PHONE.label) != stored


def test_a_timeline_event_cannot_be_changed(complaint):
    event = complaint.events.get()
    event.text = "Подделка"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert TimelineEvent.objects.get(pk=event.pk).text != "Подделка"


def test_a_timeline_event_cannot_be_deleted(complaint):
    event = complaint.events.get()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert TimelineEvent.objects.filter(pk=event.pk).exists()


def test_new_events_can_still_be_added(complaint, operator):
    count = complaint.events.count()
    complaint_add_note(complaint=complaint, actor=operator, text="Ещё заметка")
    assert complaint.events.count() == count + 1


def test_the_number_sequence_is_not_touched_by_a_refused_registration(operator):
    complaint_register(actor=operator, channel=Channel.PHONE, wording="Первая")
    with pytest.raises(ValidationError):
        complaint_register(actor=operator, channel=Channel.PHONE, wording=" ")
    second = complaint_register(actor=operator, channel=Channel.PHONE, wording="Вторая")
    assert second.number.endswith("-000002")
    assert NumberSequence.objects.get().last == 2


def test_a_measure_needs_an_executor_with_that_role(walk, responsible, operator):
    complaint = walk(None, S.DECIDED)
    with pytest.raises(ValidationError) as caught:
        measure_add(complaint=complaint, actor=responsible, description="Позвонить", executor=operator,
                    due_date=in_days(2))
    assert set(caught.value.message_dict) == {"executor"}
    assert not complaint.measures.exists()


def test_no_measures_for_an_unjustified_complaint(walk, responsible, executor):
    from amends.complaints.choices import Justification

    complaint = walk(None, S.DECIDED, justification=Justification.UNJUSTIFIED)
    with pytest.raises(TransitionNotAllowed):
        measure_add(complaint=complaint, actor=responsible, description="Лишнее", executor=executor,
                    due_date=in_days(2))


def test_editing_follows_the_registration_rules(complaint, qms, contact):
    other = contact_create(full_name="Петрова Анна", phone="+7 900 000-00-01", organisation_name="ООО «Луч»")
    complaint = complaint_update(complaint=complaint, actor=qms, changes={"channel": Channel.INTERNAL})
    assert complaint.origin == Origin.INTERNAL
    complaint = complaint_update(complaint=complaint, actor=qms, changes={"contact": other})
    assert complaint.organisation == other.organisation
    assert complaint.events.filter(kind="field_change", field="organisation").exists()
