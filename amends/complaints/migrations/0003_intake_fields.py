import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import amends.complaints.models


def give_tracking_codes(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    for complaint in Complaint.objects.filter(tracking_code__isnull=True).only("pk"):
        complaint.tracking_code = amends.complaints.models.new_tracking_code()
        complaint.save(update_fields=["tracking_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_reference_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint", name="registered_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="registered_complaints", to=settings.AUTH_USER_MODEL,
                verbose_name="registered by",
            ),
        ),
        # Existing cards each get their own code before the column becomes unique.
        migrations.AddField(
            model_name="complaint", name="tracking_code",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(give_tracking_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="complaint", name="tracking_code",
            field=models.CharField(
                default=amends.complaints.models.new_tracking_code, editable=False, max_length=32,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="complaint", name="external_id",
            field=models.CharField(blank=True, db_index=True, max_length=200, verbose_name="external ID"),
        ),
        migrations.AddField(
            model_name="complaint", name="thread_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="complaint", name="consent_text",
            field=models.TextField(blank=True, editable=False, verbose_name="consent to personal data processing"),
        ),
        migrations.AddField(
            model_name="complaint", name="consent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="consent given at"),
        ),
    ]
