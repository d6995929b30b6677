"""Tasks were renamed `*_task`: jobs still waiting in the queue under an old name are pointed at the new
one, so that an acknowledgement or a file fetch queued before an upgrade is not lost."""

from django.db import migrations

RENAMED = {
    "amends.duplicates.tasks.check_duplicates": "amends.duplicates.tasks.check_duplicates_task",
    "amends.intake.tasks.follow_up_registration": "amends.intake.tasks.follow_up_registration_task",
    "amends.intake.channels.webhooks.files.fetch_received_files":
        "amends.intake.channels.webhooks.files.fetch_received_files_task",
    **{
        f"amends.jobs.tasks.{name}": f"amends.jobs.tasks.{name}_task"
        for name in (
            "deadlines_sweep", "notifications_deliver", "mail_poll", "outbound_retry", "idempotency_purge",
            "weekly_summary_send",
        )
    },
}
WAITING = ("READY", "RUNNING")


def rename(apps, schema_editor, mapping=RENAMED):
    jobs = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in mapping.items():
        jobs.objects.filter(task_path=old, status__in=WAITING).update(task_path=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
