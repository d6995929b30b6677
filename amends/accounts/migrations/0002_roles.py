from django.contrib.auth.management import create_permissions
from django.db import migrations

from amends.accounts.roles import create_role_groups


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now to grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("complaints", "0001_initial"),
        ("customers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
