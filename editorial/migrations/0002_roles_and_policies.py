from django.db import migrations

from editorial.roles import sync_policies, sync_roles


def create_roles_and_policies(apps, schema_editor):
    sync_roles(apps)
    sync_policies(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("articles", "0001_initial"),
        ("corrections", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles_and_policies, migrations.RunPython.noop)]
