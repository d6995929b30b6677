"""The list's filter indexes and the measures not done. On PostgreSQL each index is built and dropped
CONCURRENTLY, so a table of a million cards takes registrations while it is built (hence not atomic)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from amends.complaints.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently


def _foreign_key_index(apps, schema_editor, name):
    model = apps.get_model("complaints", "Complaint")
    field = model._meta.get_field(name)
    return model, field, schema_editor._create_index_name(model._meta.db_table, [field.column])


def foreign_key_index_drop(name):
    def drop(apps, schema_editor):
        _model, _field, index = _foreign_key_index(apps, schema_editor, name)
        concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(index)}")
    return drop


def foreign_key_index_create(name):
    def create(apps, schema_editor):
        model, field, index = _foreign_key_index(apps, schema_editor, name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field], name=index))
    return create


def foreign_key_partially_indexed(name, field, index_fields, index_name):
    """The foreign key's own index dropped by name (SQLite would copy the whole table to alter the
    field), and an index of the rows where it is set."""
    return [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name='complaint', name=name, field=field)],
            database_operations=[migrations.RunPython(foreign_key_index_drop(name), foreign_key_index_create(name))],
        ),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(condition=models.Q((f'{name}__isnull', False)), fields=index_fields, name=index_name),
        ),
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('accounts', '0003_user_time_zone'),
        ('complaints', '0019_analysis_index'),
        ('customers', '0004_segments_and_contact_consent'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The state's index grows into the list's covering index.
        RemoveIndexConcurrently(model_name='complaint', name='complaints__state_e2144d_idx'),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(fields=['state', 'received_at', 'channel', 'category', 'importance', 'responsible'],
                               name='complaint_state_received'),
        ),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(fields=['channel', 'received_at', 'state'], name='complaint_channel_received'),
        ),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(fields=['category', 'received_at', 'state'], name='complaint_category_received'),
        ),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(fields=['importance', 'received_at', 'state'], name='complaint_importance_received'),
        ),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(fields=['responsible', 'received_at', 'state'], name='complaint_responsible_received'),
        ),
        # The registrar's and the original's indexes only where they are set (most cards have neither).
        *foreign_key_partially_indexed(
            'registered_by',
            models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                              related_name='registered_complaints', to=settings.AUTH_USER_MODEL,
                              verbose_name='registered by'),
            ['registered_by', 'received_at'], 'complaint_registered_by',
        ),
        *foreign_key_partially_indexed(
            'duplicate_of',
            models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                              related_name='duplicates', to='complaints.complaint', verbose_name='duplicate of'),
            ['duplicate_of', 'received_at'], 'complaint_duplicate_of',
        ),
        AddIndexConcurrently(
            model_name='measure',
            index=models.Index(condition=models.Q(('done_at__isnull', True)), fields=['due_date', 'complaint'],
                               name='complaints_measure_not_done'),
        ),
        AddIndexConcurrently(
            model_name='measure',
            index=models.Index(condition=models.Q(('done_at__isnull', False)),
                               fields=['done_at', 'due_date', 'complaint'], name='complaints_measure_done'),
        ),
    ]
