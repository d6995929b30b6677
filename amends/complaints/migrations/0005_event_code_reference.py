from django.db import migrations, models
from django.db.models import F

# Before this migration, new_value carried a deadline event's code and a received file's reference.


def codes_and_references_forward(apps, schema_editor):
    TimelineEvent = apps.get_model("complaints", "TimelineEvent")
    TimelineEvent.objects.filter(kind="deadline").exclude(new_value="").update(code=F("new_value"), new_value="")
    TimelineEvent.objects.filter(kind="note").exclude(new_value="").update(reference=F("new_value"), new_value="")


def codes_and_references_backward(apps, schema_editor):
    TimelineEvent = apps.get_model("complaints", "TimelineEvent")
    TimelineEvent.objects.filter(kind="deadline").exclude(code="").update(new_value=F("code"), code="")
    TimelineEvent.objects.filter(kind="note").exclude(reference="").update(new_value=F("reference"), reference="")


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0004_deadline_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineevent",
            name="code",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="reference",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(codes_and_references_forward, codes_and_references_backward, elidable=True),
    ]
