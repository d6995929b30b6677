from django.db import migrations

from amends.search.engine import Index

# As this migration made it (the index may change later, by a migration of its own).
COMPLAINTS = Index("search_complaint", ("ident", "body", "messages"), (10.0, 2.0, 1.0))


def create(apps, schema_editor):
    for statement in COMPLAINTS.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in COMPLAINTS.drop_sql():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create, drop)]
