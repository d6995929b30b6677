from django.db import migrations

from amends.answers.defaults import load_letter_defaults


def load(apps, schema_editor):
    load_letter_defaults(apps.get_model("answers", "LetterTemplate"), apps.get_model("answers", "LegalReference"))


class Migration(migrations.Migration):

    dependencies = [
        ("answers", "0003_tone_stopphrase"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
