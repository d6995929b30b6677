from django.db import migrations

from amends.complaints.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps.get_model("complaints", "Cause"), apps.get_model("complaints", "Category"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
