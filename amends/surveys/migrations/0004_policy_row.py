from django.db import migrations


def policy_row_create(apps, schema_editor):
    """The settings' one row exists from the start, for the administrator to edit; reading the settings
    needs none (policy() gives the defaults without it)."""
    apps.get_model("surveys", "SurveyPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_followup_escalated"),
    ]

    operations = [
        migrations.RunPython(policy_row_create, migrations.RunPython.noop),
    ]
