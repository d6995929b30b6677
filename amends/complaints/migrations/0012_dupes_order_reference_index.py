from django.db import migrations, models


class Migration(migrations.Migration):
    """The cards of one order, for the duplicate search (the same order is the same customer's matter)."""

    dependencies = [
        ("complaints", "0011_operator_saved_filters"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["order_reference", "received_at"], name="complaints__order_r_9146b1_idx"),
        ),
    ]
