from django.db import migrations

from amends.surveys.defaults import load_default_questionnaire


def load(apps, schema_editor):
    load_default_questionnaire(
        apps.get_model("surveys", "Questionnaire"), apps.get_model("surveys", "QuestionnaireVersion"),
        apps.get_model("surveys", "Criterion"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
