"""The audit chain: admin changes are recorded, nothing in it can be edited or deleted through the
app, and `amends audit verify` finds a row changed behind the app's back."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from amends.accounts.models import Department
from amends.audit.models import Action, AppendOnlyError, AuditEntry
from amends.audit.services import audit_record, audit_reseal, audit_verify
from amends.complaints.events import timeline_seal
from amends.complaints.models import TimelineEvent
from amends.intake.models import OutboundMessage


def verify() -> str:
    call_command("audit", "verify", stdout=(out := __import__("io").StringIO()))
    return out.getvalue()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_admin_add_change_delete_are_recorded_with_their_changes(admin_client, administrator):
    assert admin_client.post("/admin/accounts/department/add/", {
        "name": "Склад", "name_en": "Warehouse", "is_active": "on"}).status_code == 302
    department = Department.objects.get(name="Склад")
    assert admin_client.post(f"/admin/accounts/department/{department.pk}/change/", {
        "name": "Склад №2", "name_en": "Warehouse", "is_active": "on"}).status_code == 302
    assert admin_client.post(f"/admin/accounts/department/{department.pk}/delete/", {"post": "yes"}).status_code == 302

    entries = list(AuditEntry.objects.filter(object_type="accounts.department"))
    assert [e.action for e in entries] == [Action.CREATE, Action.CHANGE, Action.DELETE]
    assert {e.actor_name for e in entries} == {administrator.username}
    assert entries[1].changes == {"name": ["Склад", "Склад №2"]}
    assert entries[2].changes["name"] == "Склад №2"
    assert "holds: 3 entries" in verify()


def test_a_role_permission_change_and_a_password_change_are_recorded(admin_client, make_user):
    group = Group.objects.create(name="auditors")
    permission = Permission.objects.get(codename="view_complaint")
    assert admin_client.post(f"/admin/auth/group/{group.pk}/change/", {
        "name": "auditors", "permissions": [permission.pk]}).status_code == 302
    assert AuditEntry.objects.get(object_type="auth.group").changes == {"permissions": [[], [permission.pk]]}

    user = make_user("someone")
    assert admin_client.post(f"/admin/accounts/user/{user.pk}/password/", {
        "password1": "A-new-long-passphrase-42", "password2": "A-new-long-passphrase-42",
        "usable_password": "true"}).status_code == 302
    entry = AuditEntry.objects.get(object_type="accounts.user", object_pk=str(user.pk))
    assert entry.action == Action.CHANGE and "password" in entry.changes["message"].lower()
    assert "pbkdf2" not in str(entry.changes) and "md5" not in str(entry.changes)


def test_records_of_messages_sent_to_customers_cannot_be_deleted_or_changed_in_the_admin(admin_client, complaint):
    message = OutboundMessage.objects.create(complaint=complaint, channel="email", recipient="a@example.ru",
                                             subject="Ответ", body="Мы разобрались.")
    assert admin_client.post(f"/admin/intake/outboundmessage/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post("/admin/intake/outboundmessage/", {
        "action": "delete_selected", "_selected_action": [message.pk], "post": "yes"})
    assert OutboundMessage.objects.filter(pk=message.pk).exists()
    page = admin_client.get(f"/admin/intake/outboundmessage/{message.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_audit_entries_cannot_be_deleted_or_changed_through_the_app(admin_client, administrator):
    entry = audit_record(actor=administrator, action=Action.RUN, object_type="test.thing")
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(object_repr="x")
    entry.object_repr = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_a_row_edited_in_the_database_breaks_verify_at_that_entry(db, administrator):
    entries = [audit_record(actor=administrator, action=Action.CHANGE, object_type="accounts.department",
                            object_pk=i, changes={"name": [f"old {i}", f"new {i}"]}) for i in range(1, 5)]
    assert audit_verify().reason == ""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET changes = %s WHERE id = %s",
                       ['{"name": ["old 2", "forged"]}', entries[2].pk])
    verdict = audit_verify()
    assert verdict.broken == entries[2] and verdict.entries == 2
    with pytest.raises(CommandError, match=f"entry no. {entries[2].seq} "):
        verify()


def test_an_entry_removed_in_the_database_breaks_verify(db, administrator):
    entries = [audit_record(actor=administrator, action=Action.RUN, object_type="x.y") for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    assert audit_verify().broken == entries[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    # The last entries gone: the chain's head still counts them.
    assert "3 entries were written" in audit_verify().reason


def test_the_timeline_is_sealed_into_the_chain_and_an_edited_event_breaks_verify(complaint):
    later = timezone.now() + timedelta(minutes=2)
    seal = timeline_seal(now=later)
    events = TimelineEvent.objects.filter(complaint=complaint)
    assert seal is not None and seal.changes["count"] == events.count() > 0
    assert timeline_seal(now=later) is None  # nothing new since
    assert "1 timeline seals" in verify()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_timelineevent SET text = %s WHERE id = %s", ["forged", events[0].pk])
    with pytest.raises(CommandError, match=f"entry no. {seal.seq} .*rows 1..{seal.changes['last_pk']}"):
        verify()


def test_a_recent_event_waits_for_the_next_seal(complaint):
    # A transaction that inserted a lower id may still be open: rows younger than a minute wait.
    assert timeline_seal() is None



def test_every_admin_page_that_can_change_something_is_audited():
    """A new admin page built on plain ModelAdmin would change data without a trace: it fails here."""
    from django.contrib import admin

    from amends.audit.admin import AuditedAdmin

    ours = {model._meta.label: page for model, page in admin.site._registry.items()
            if model.__module__.startswith("amends.") or model is Group}
    assert {"auth.Group", "accounts.User", "intake.Mailbox", "deadlines.DeadlinePolicy"} <= set(ours)
    assert [label for label, page in ours.items()
            if label != "audit.AuditEntry" and not isinstance(page, AuditedAdmin)] == []


def test_a_reseal_vouches_only_for_the_rewrite_before_it_and_only_for_earlier_seals(complaint, administrator):
    seal = timeline_seal(now=timezone.now() + timedelta(minutes=5))
    event = TimelineEvent.objects.filter(pk__lte=seal.changes["last_pk"]).first()
    table = TimelineEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET text = %s WHERE id = %s", ["[erased]", event.pk])
    reseal = audit_reseal(model=TimelineEvent, pks={event.pk}, reason=administrator, actor=administrator)
    assert reseal.changes["seals"][0]["seal"] == seal.seq
    assert audit_reseal(model=TimelineEvent, pks={10**9}, reason=administrator) is None  # no seal covers it
    assert "holds" in verify()

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET text = %s WHERE id = %s", ["forged", event.pk])
    with pytest.raises(CommandError, match=f"entry no. {seal.seq} .*since reseal no. {reseal.seq}"):
        verify()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET text = %s WHERE id = %s", ["[erased]", event.pk])
    # A reseal pointing at an entry that is no seal (here: itself) vouches for nothing.
    audit_record(actor=None, action=Action.RESEAL, object_type="complaints.timelineevent",
                 changes={"seals": [{"seal": reseal.seq + 1, "count": 0, "sha256": ""}], "reason": {}})
    with pytest.raises(CommandError, match="not earlier seals"):
        verify()
