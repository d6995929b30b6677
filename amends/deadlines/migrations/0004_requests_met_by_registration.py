from django.db import migrations, models
from django.db.models import F


def mark_met_by_registration(apps, schema_editor):
    """A clock met by registration was stamped with its card's creation time; nothing else is."""
    Clock = apps.get_model("deadlines", "Clock")
    Clock.objects.filter(met_at=F("complaint__created_at")).update(met_by_registration=True)


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0003_card_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="clock",
            name="met_by_registration",
            field=models.BooleanField(default=False, verbose_name="met by registration"),
        ),
        migrations.RunPython(mark_met_by_registration, migrations.RunPython.noop),
    ]
