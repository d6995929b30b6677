"""The open cards' keys, for "deadline breached"; built CONCURRENTLY on PostgreSQL (hence not atomic)."""

from django.db import migrations, models

from amends.complaints.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('complaints', '0020_million'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(condition=models.Q(('state__in', ['answered', 'assigned', 'decided', 'in_progress', 'investigating', 'measures_planned', 'registered', 'resolved'])), fields=['id'], name='complaint_open'),
        ),
    ]
