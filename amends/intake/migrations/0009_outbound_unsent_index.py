"""The messages not sent yet, for the retry job; built CONCURRENTLY on PostgreSQL (hence not atomic)."""

from django.db import migrations, models

from amends.complaints.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('intake', '0008_outbound_names'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='outboundmessage',
            index=models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['created_at'], name='outbound_unsent'),
        ),
    ]
