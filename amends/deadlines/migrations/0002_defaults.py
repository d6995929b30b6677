from django.db import migrations

from amends.deadlines.defaults import load_defaults


def forwards(apps, schema_editor):
    load_defaults(*(apps.get_model("deadlines", name) for name in (
        "BusinessCalendar", "WorkingHours", "DeadlinePolicy", "EscalationStep",
    )))


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
