"""The list's filter indexes and the measures not done. On PostgreSQL each index is built and dropped
CONCURRENTLY, so a table of a million cards takes registrations while it is built (hence not atomic)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _concurrently(operation, schema_editor, model) -> bool:
    return schema_editor.connection.vendor == "postgresql" and operation.allow_migrate_model(
        schema_editor.connection.alias, model)


class AddIndexConcurrently(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not _concurrently(self, schema_editor, model):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not _concurrently(self, schema_editor, model):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        schema_editor.remove_index(model, self.index, concurrently=True)


class RemoveIndexConcurrently(migrations.RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not _concurrently(self, schema_editor, model):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        schema_editor.remove_index(model, index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not _concurrently(self, schema_editor, model):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        schema_editor.add_index(model, index, concurrently=True)


def _registrar_index(apps, schema_editor):
    model = apps.get_model("complaints", "Complaint")
    field = model._meta.get_field("registered_by")
    return model, field, schema_editor._create_index_name(model._meta.db_table, [field.column])


def registrar_index_drop(apps, schema_editor):
    _model, _field, name = _registrar_index(apps, schema_editor)
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(name)}")


def registrar_index_create(apps, schema_editor):
    model, field, name = _registrar_index(apps, schema_editor)
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field], name=name))


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
        # The registrar's index only where there is one (the partial index below): its foreign key index
        # dropped by name, since SQLite would copy the whole table to alter the field.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name='complaint',
                name='registered_by',
                field=models.ForeignKey(blank=True, db_index=False, null=True,
                                        on_delete=django.db.models.deletion.PROTECT,
                                        related_name='registered_complaints', to=settings.AUTH_USER_MODEL,
                                        verbose_name='registered by'),
            )],
            database_operations=[migrations.RunPython(registrar_index_drop, registrar_index_create)],
        ),
        AddIndexConcurrently(
            model_name='complaint',
            index=models.Index(condition=models.Q(('registered_by__isnull', False)),
                               fields=['registered_by', 'received_at'], name='complaint_registered_by'),
        ),
        AddIndexConcurrently(
            model_name='measure',
            index=models.Index(condition=models.Q(('done_at__isnull', True)), fields=['due_date', 'complaint'],
                               name='complaints_measure_not_done'),
        ),
    ]
