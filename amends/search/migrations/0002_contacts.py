from django.db import migrations

from amends.search.engine import Index

# As this migration made it (the index may change later, by a migration of its own).
CONTACTS = Index("search_contact", ("name", "email", "phone"), (10.0, 3.0, 1.0))


def create(apps, schema_editor):
    for statement in CONTACTS.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in CONTACTS.drop_sql():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    # The table starts empty: `amends search_index` fills it from the contacts already stored.
    operations = [migrations.RunPython(create, drop)]
