from django.db import migrations


def policy_row_create(apps, schema_editor):
    """The settings' one row exists from the start, so that reading it never writes (policy())."""
    apps.get_model("surveys", "SurveyPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_followup_escalated"),
    ]

    operations = [
        migrations.RunPython(policy_row_create, migrations.RunPython.noop),
    ]
